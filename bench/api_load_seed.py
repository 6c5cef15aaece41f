"""The database of bench/api_load.py: a fresh PostgreSQL database, migrated, with one seeded client.

The database is created like the test suite's (a non-superuser owner runs the migrations, the apps
connect as a role without BYPASSRLS, so row-level security is on), then a client is created with the
real service and given 50 positions and 100 one-leg trades with the test factories.
"""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from backend.audit.service import Actor, open_cross_tenant
from backend.clients import service as clients
from backend.config import Settings
from backend.kit import migrations
from backend.kit.container import Container
from backend.kit.db import NO_TENANT, scoped_session
from backend.tests.factories import create_position, create_trade

ADMIN_URL = os.environ.get("BENCH_POSTGRES_ADMIN_URL") or os.environ.get(
    "TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
OWNER_ROLE, APP_ROLE = "greekdesk_bench_owner", "greekdesk_bench_app"
POSITIONS, TRADES = 50, 100
PASSWORD = "bench-" + secrets.token_urlsafe(12)


@dataclass(frozen=True)
class BenchDatabase:
    """Where the benchmark database is: URLs for Greekdesk (SQLAlchemy) and the peer (asyncpg)."""

    name: str
    app_url: str
    owner_url: str
    peer_dsn: str


@dataclass(frozen=True)
class Seeded:
    """The seeded client and how to sign in as its user."""

    client_id: uuid.UUID
    email: str
    password: str


def _url(role: str, database: str, driver: str) -> str:
    host = ADMIN_URL.split("@", 1)[1].rsplit("/", 1)[0]
    return f"{driver}://{role}@{host}/{database}"


async def _admin(*statements: str) -> None:
    conn = await asyncpg.connect(ADMIN_URL)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def create_database() -> BenchDatabase:
    """Create and migrate an empty database for this run."""
    name = f"greekdesk_bench_{os.getpid()}"
    # Role names are constants of this module, not input.
    roles = f"""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{OWNER_ROLE}') THEN
                CREATE ROLE {OWNER_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS;
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
                CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS;
            END IF;
        END $$;
    """  # noqa: S608
    asyncio.run(
        _admin(
            roles,
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
            f'CREATE DATABASE "{name}" OWNER {OWNER_ROLE}',
        )
    )
    db = BenchDatabase(
        name=name,
        app_url=_url(APP_ROLE, name, "postgresql+asyncpg"),
        owner_url=_url(OWNER_ROLE, name, "postgresql+asyncpg"),
        peer_dsn=_url(APP_ROLE, name, "postgresql"),
    )
    migrations.upgrade(db.owner_url, app_role=APP_ROLE)
    return db


def drop_database(db: BenchDatabase) -> None:
    """Drop the run's database."""
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)'))


def app_environment(db: BenchDatabase, data_dir: str) -> dict[str, str]:
    """Return the production-like environment both apps run with (same secret, same database)."""
    return {
        "APP_ENV": "production",
        "DATA_DIR": data_dir,
        "DATABASE_URL": db.app_url,
        "MIGRATION_DATABASE_URL": db.owner_url,
        "DB_APP_ROLE": APP_ROLE,
        "JWT_SECRET": secrets.token_urlsafe(48),
        "CREDENTIAL_KEYS": f"1:{base64.b64encode(secrets.token_bytes(32)).decode()}",
        "ACCESS_TOKEN_TTL_SECONDS": "3600",
        # Our JSON access log is the counterpart of uvicorn's, which both runs switch off.
        "LOG_LEVEL": "WARNING",
        "BENCH_PEER_DSN": db.peer_dsn,
    }


async def _seed(settings: Settings) -> Seeded:
    container = Container.build(settings)
    try:
        email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
        async with scoped_session(container.sessions, NO_TENANT) as session:
            await open_cross_tenant(session, actor=Actor.system("bench"), reason="api_load seed")
            # No broker account: both apps serve the rows with null marks (see the module docstring
            # of bench/api_load.py), so the run measures the API and the database, not a simulator.
            created = await clients.create_client(
                session,
                name="Bench client",
                email=email,
                password=PASSWORD,
                passwords=container.passwords,
                actor=Actor.system("bench"),
                with_simulator=False,
            )
        client_id = created.client.id
        for i in range(POSITIONS):
            await create_position(container, client_id, symbol=f"SYM{i:02d}")
        for i in range(TRADES):
            await create_trade(container, client_id, symbol=f"SYM{i % POSITIONS:02d}")
        return Seeded(client_id, email, PASSWORD)
    finally:
        await container.close()


def seed(env: dict[str, str]) -> Seeded:
    """Create the client, its positions and trades through the real service and factories."""
    fields: dict[str, Any] = {k.lower(): v for k, v in env.items() if k != "BENCH_PEER_DSN"}
    settings = Settings(_env_file=None, **fields)
    return asyncio.run(_seed(settings))
