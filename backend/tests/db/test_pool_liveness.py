"""Pooled PostgreSQL connections cut by a restart or a proxy: an idle one is replaced before use,
and a request that meets a freshly cut one gets a 503 to retry while the pool renews itself."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.kit import db
from backend.kit.container import Container
from backend.tests.conftest import PG_ADMIN_URL, MigratedDatabase, bearer, create_client_user, login

pytestmark = pytest.mark.postgres
_PID = text("SELECT pg_backend_pid()")


@pytest.fixture
async def engine(test_database: MigratedDatabase) -> AsyncIterator[AsyncEngine]:
    made = db.create_engine(test_database.app_url)
    yield made
    await made.dispose()


async def _terminate(where: str, *args: object) -> int:
    """Cut the matching server connections as a restart would; return how many were cut."""
    admin = await asyncpg.connect(PG_ADMIN_URL)
    try:
        pids = [r["pid"] for r in await admin.fetch(f"SELECT pid FROM pg_stat_activity WHERE {where}", *args)]
        for pid in pids:
            await admin.execute("SELECT pg_terminate_backend($1, 5000)", pid)
    finally:
        await admin.close()
    return len(pids)


async def _pid(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(_PID)).scalar_one())


async def test_an_idle_connection_cut_while_pooled_is_replaced_before_use(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await _pid(engine)
    assert await _terminate("pid = $1", first) == 1
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # the pooled connection counts as idle
    second = await _pid(engine)
    assert second != first


async def test_a_busy_connection_is_not_pinged_so_a_fresh_cut_surfaces_once(engine: AsyncEngine) -> None:
    first = await _pid(engine)
    assert await _terminate("pid = $1", first) == 1
    # Back in the pool a moment ago, the connection goes straight to work and meets the cut.
    with pytest.raises(DBAPIError) as raised:
        await _pid(engine)
    assert raised.value.connection_invalidated
    assert await _pid(engine) != first  # the pool replaced it


async def test_a_request_on_a_freshly_cut_connection_is_told_to_retry(
    api: httpx.AsyncClient,
    container: Container,
    test_database: MigratedDatabase,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = await create_client_user(container)
    headers = bearer((await login(api, user.email))["access_token"])
    path = f"/clients/{user.client_id}/trades"
    assert (await api.get(path, headers=headers)).status_code == 200
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 3600.0)  # however slow the machine, none is idle
    database = test_database.app_url.rsplit("/", 1)[1]
    assert await _terminate("datname = $1 AND usename = $2", database, test_database.app_role) >= 1
    response = await api.get(path, headers=headers)
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "database_unavailable"
    assert response.headers["Retry-After"] == "1"
    assert (await api.get(path, headers=headers)).status_code == 200
