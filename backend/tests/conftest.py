"""Test harness: a migrated real database (SQLite, or PostgreSQL with RLS and Redis) and app factories.

`GREEKDESK_TEST_DATABASE=postgresql` runs the suite on PostgreSQL as the non-owner application
role (with `TEST_REDIS_URL` for Redis); the default is a SQLite file.
"""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from backend.audit.service import Actor, open_cross_tenant, verify_chains
from backend.brokers.simulator.clock import Clock
from backend.clients import service as clients
from backend.config import Settings
from backend.kit import migrations
from backend.kit.container import Container
from backend.kit.db import NO_TENANT, TenantScope, create_engine, create_sessionmaker, scoped_session
from backend.main import create_app

DATABASE_KIND = os.environ.get("GREEKDESK_TEST_DATABASE", "sqlite")
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_OWNER_ROLE = "greekdesk_test_owner"
PG_APP_ROLE = "greekdesk_test_app"
TEST_PASSWORD = "correct horse battery staple"
ON_POSTGRES = DATABASE_KIND == "postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip PostgreSQL-only tests on SQLite, and Redis tests without Redis."""
    skip_pg = pytest.mark.skip(reason="needs GREEKDESK_TEST_DATABASE=postgresql")
    skip_redis = pytest.mark.skip(reason="needs TEST_REDIS_URL")
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not os.environ.get("TEST_REDIS_URL"):
            item.add_marker(skip_redis)


@dataclass(frozen=True)
class MigratedDatabase:
    """Where the migrated test database is and who connects to it."""

    app_url: str
    owner_url: str
    app_role: str


async def _pg_admin(statements: list[str], url: str = PG_ADMIN_URL) -> None:
    conn = await asyncpg.connect(url)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def _pg_url(role: str, database: str, driver: str = "postgresql+asyncpg") -> str:
    host = PG_ADMIN_URL.split("@", 1)[1].rsplit("/", 1)[0]
    return f"{driver}://{role}@{host}/{database}"


def create_postgres_database(name: str) -> MigratedDatabase:
    """Create an empty database owned by a non-superuser owner, with the app role existing."""
    roles = f"""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{PG_OWNER_ROLE}') THEN
                CREATE ROLE {PG_OWNER_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS;
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{PG_APP_ROLE}') THEN
                CREATE ROLE {PG_APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS;
            END IF;
        END $$;
    """
    asyncio.run(
        _pg_admin(
            [
                roles,
                f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                f'CREATE DATABASE "{name}" OWNER {PG_OWNER_ROLE}',
            ]
        )
    )
    return MigratedDatabase(
        app_url=_pg_url(PG_APP_ROLE, name), owner_url=_pg_url(PG_OWNER_ROLE, name), app_role=PG_APP_ROLE
    )


def drop_postgres_database(name: str) -> None:
    """Drop a test database."""
    asyncio.run(_pg_admin([f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)']))


def empty_database(tmp: Path, name: str) -> MigratedDatabase:
    """Create an empty database of the kind under test."""
    if ON_POSTGRES:
        return create_postgres_database(name)
    url = f"sqlite+aiosqlite:///{tmp / (name + '.db')}"
    return MigratedDatabase(app_url=url, owner_url=url, app_role="unused")


@pytest.fixture(scope="session")
def test_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedDatabase]:
    """The session's migrated database."""
    name = f"greekdesk_test_{os.getpid()}"
    db = empty_database(tmp_path_factory.mktemp("db"), name)
    migrations.upgrade(db.owner_url, app_role=db.app_role)
    yield db
    try:
        # Every scenario the suite ran left audit records here; the chains must still verify.
        breaks = asyncio.run(_chain_breaks(db.app_url))
        assert breaks == [], f"audit chains do not verify after the suite: {breaks[:3]}"
    finally:
        if ON_POSTGRES:
            drop_postgres_database(name)


async def _chain_breaks(url: str) -> list[Any]:
    engine = create_engine(url)
    try:
        async with scoped_session(create_sessionmaker(engine), TenantScope(cross_tenant=True)) as session:
            return list(await verify_chains(session))
    finally:
        await engine.dispose()


def key_ring(*versions: int) -> str:
    """Build a CREDENTIAL_KEYS value with fresh random keys."""
    return ",".join(f"{v}:{base64.b64encode(secrets.token_bytes(32)).decode()}" for v in versions)


@pytest.fixture(scope="session")
def base_settings(test_database: MigratedDatabase, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for the test database, with test secrets and OWASP-minimum hashing cost."""
    return Settings(
        _env_file=None,
        app_env="test",
        data_dir=tmp_path_factory.mktemp("data"),
        database_url=test_database.app_url,
        migration_database_url=test_database.owner_url,
        db_app_role=test_database.app_role,
        redis_url=os.environ.get("TEST_REDIS_URL") or None,
        jwt_secret=secrets.token_urlsafe(48),
        credential_keys=key_ring(1),
        password_hash_time_cost=2,
        password_hash_memory_kib=19 * 1024,
        password_hash_parallelism=1,
        cors_origins=["http://localhost:5173"],
        # Tests must not depend on the hour they run at.
        simulator_always_open=True,
        # The agent's loops run only in the tests that drive them (run_once, or agent_enabled=True).
        agent_enabled=False,
    )


@pytest.fixture(scope="session", autouse=True)
def _clean_redis() -> None:
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        import redis

        redis.Redis.from_url(url).flushdb()


AppFactory = Callable[..., FastAPI]


@pytest.fixture
async def app_factory(base_settings: Settings) -> AsyncIterator[AppFactory]:
    """Build apps (with settings overrides) whose lifespans close when the test ends."""
    apps: list[FastAPI] = []

    def build(clock: Clock | None = None, **overrides: Any) -> FastAPI:
        # Re-validated rather than model_copy'd: cached derived values must follow the overrides.
        settings = Settings(_env_file=None, **{**base_settings.model_dump(), **overrides})
        app = create_app(settings, configure_logs=False, clock=clock)
        apps.append(app)
        return app

    yield build
    for app in apps:
        await app.state.container.close()


@pytest.fixture
def app(app_factory: AppFactory) -> FastAPI:
    """The app with the test settings."""
    return app_factory()


@pytest.fixture
def container(app: FastAPI) -> Container:
    """The app's services."""
    container: Container = app.state.container
    return container


def random_address() -> str:
    """A documentation-range address, so throttling in one test never spills into another."""
    return f"198.51.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


def api_client(app: FastAPI, address: str | None = None) -> httpx.AsyncClient:
    """An HTTP client speaking to `app` in-process from `address`."""
    transport = httpx.ASGITransport(app=app, client=(address or random_address(), 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def api(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the test app."""
    async with api_client(app) as client:
        yield client


@dataclass(frozen=True)
class ClientUser:
    """A client created for a test, with its first user's login."""

    client_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    password: str


async def create_client_user(container: Container, *, name: str = "Test client") -> ClientUser:
    """Create a client and its first user with a unique email."""
    email = f"user-{uuid.uuid4().hex[:12]}@example.com"
    async with scoped_session(container.sessions, NO_TENANT) as session:
        await open_cross_tenant(session, actor=Actor.system("tests"), reason="test factory")
        created = await clients.create_client(
            session,
            name=name,
            email=email,
            password=TEST_PASSWORD,
            passwords=container.passwords,
            actor=Actor.system("tests"),
        )
    return ClientUser(created.client.id, created.user.id, email, TEST_PASSWORD)


async def create_operator_user(container: Container) -> tuple[str, str]:
    """Create an operator; return its email and password."""
    email = f"op-{uuid.uuid4().hex[:12]}@example.com"
    async with scoped_session(container.sessions, NO_TENANT) as session:
        await open_cross_tenant(session, actor=Actor.system("tests"), reason="test factory")
        await clients.create_operator(
            session,
            email=email,
            password=TEST_PASSWORD,
            passwords=container.passwords,
            actor=Actor.system("tests"),
        )
    return email, TEST_PASSWORD


async def login(api: httpx.AsyncClient, email: str, password: str = TEST_PASSWORD) -> dict[str, Any]:
    """Log in and return the token response, failing the test on anything but 200."""
    response = await api.post("/auth/login", json={"username": email, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(token: str) -> dict[str, str]:
    """An Authorization header for `token`."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[MigratedDatabase]:
    """A database of this test's own, for tests whose results depend on every row (verification, rotation)."""
    name = f"greekdesk_fresh_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    db = empty_database(tmp_path, name)
    migrations.upgrade(db.owner_url, app_role=db.app_role)
    yield db
    if ON_POSTGRES:
        drop_postgres_database(name)


@pytest.fixture
def fresh_app(fresh_database: MigratedDatabase, app_factory: AppFactory) -> FastAPI:
    """An app on the fresh database (set up after it, so closed before it is dropped)."""
    return app_factory(
        database_url=fresh_database.app_url,
        migration_database_url=fresh_database.owner_url,
        db_app_role=fresh_database.app_role,
    )
