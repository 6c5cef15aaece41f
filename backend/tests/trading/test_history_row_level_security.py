"""On PostgreSQL the state-change history is tenant-confined and append-only for the app role."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from backend.audit.service import Actor
from backend.kit.container import Container
from backend.kit.db import TenantScope, scoped_session
from backend.risk.context import TradingMode
from backend.tests.conftest import MigratedDatabase, create_client_user

pytestmark = pytest.mark.postgres

_INSERT = """INSERT INTO trading_state_change
    (id, scope, client_id, from_state, to_state, reason, allow_reduce_only, changed_by, changed_at)
    VALUES ($1, $2, $3, 'ACTIVE', 'HALTED', 'forged', true, 'x', now())"""


@pytest.fixture
async def app_conn(test_database: MigratedDatabase) -> AsyncIterator[asyncpg.Connection]:
    """A raw connection as the application role."""
    conn = await asyncpg.connect(test_database.app_url.replace("postgresql+asyncpg://", "postgresql://"))
    yield conn
    await conn.close()


async def _halt(container: Container, client_id: uuid.UUID | None) -> None:
    async with scoped_session(container.sessions, TenantScope(cross_tenant=True)) as session:
        await container.trading.change(
            session,
            scope_client_id=client_id,
            state=TradingMode.REDUCING if client_id is None else TradingMode.HALTED,
            reason="rls test",
            allow_reduce_only=True,
            actor=Actor("operator", "tests"),
        )


async def _as_tenant(conn: asyncpg.Connection, client_id: uuid.UUID) -> None:
    await conn.execute("SELECT set_config('app.client_id', $1, true)", str(client_id))


@pytest.mark.usefixtures("restore_global")
async def test_a_tenant_reads_its_own_and_the_global_history_only(
    app_conn: asyncpg.Connection, container: Container
) -> None:
    alice, bob = await create_client_user(container), await create_client_user(container)
    await _halt(container, alice.client_id)
    await _halt(container, bob.client_id)
    await _halt(container, None)
    async with app_conn.transaction():
        await _as_tenant(app_conn, alice.client_id)
        scopes = {r["scope"] for r in await app_conn.fetch("SELECT scope FROM trading_state_change")}
    assert str(alice.client_id) in scopes
    assert "global" in scopes
    assert str(bob.client_id) not in scopes


@pytest.mark.parametrize("target", ["other_client", "global"])
async def test_a_tenant_cannot_append_history_outside_its_scope(
    app_conn: asyncpg.Connection, container: Container, target: str
) -> None:
    alice, bob = await create_client_user(container), await create_client_user(container)
    scope, client_id = ("global", None) if target == "global" else (str(bob.client_id), bob.client_id)
    with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError, match="row-level security"):
        async with app_conn.transaction():
            await _as_tenant(app_conn, alice.client_id)
            await app_conn.execute(_INSERT, uuid.uuid4(), scope, client_id)


@pytest.mark.parametrize(
    "statement", ["UPDATE trading_state_change SET reason = 'rewritten'", "DELETE FROM trading_state_change"]
)
async def test_history_is_append_only_for_the_app_role(app_conn: asyncpg.Connection, statement: str) -> None:
    with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError, match="permission denied"):
        async with app_conn.transaction():
            await app_conn.execute("SELECT set_config('app.cross_tenant', 'on', true)")
            await app_conn.execute(statement)
