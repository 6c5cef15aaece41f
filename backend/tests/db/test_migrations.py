"""Migrations build exactly the models' schema, on SQLite and PostgreSQL, and round-trip."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from backend.kit import migrations
from backend.kit.db import create_engine
from backend.models import Base
from backend.tests.conftest import ON_POSTGRES, drop_postgres_database, empty_database


def _diff(url: str) -> list[Any]:
    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async def run() -> list[Any]:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(compare)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _tables(url: str) -> set[str]:
    async def run() -> set[str]:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_upgrade_matches_models_and_downgrade_round_trips(tmp_path: Path) -> None:
    name = f"greekdesk_migrations_{os.getpid()}"
    db = empty_database(tmp_path, name)
    try:
        migrations.upgrade(db.owner_url, app_role=db.app_role)
        assert _diff(db.owner_url) == []
        assert set(Base.metadata.tables) <= _tables(db.owner_url)
        migrations.downgrade(db.owner_url, app_role=db.app_role)
        assert _tables(db.owner_url) <= {"alembic_version"}
        migrations.upgrade(db.owner_url, app_role=db.app_role)
        assert _diff(db.owner_url) == []
    finally:
        if ON_POSTGRES:
            drop_postgres_database(name)
