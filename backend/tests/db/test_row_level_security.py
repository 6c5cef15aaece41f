"""PostgreSQL row-level security stops what application scoping might miss."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from backend.kit.container import Container
from backend.models import SYSTEM_TABLES, TENANT_TABLES, Base
from backend.tests.conftest import MigratedDatabase, create_client_user
from backend.tests.factories import create_position, create_trade

pytestmark = pytest.mark.postgres


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@pytest.fixture
async def app_conn(test_database: MigratedDatabase) -> AsyncIterator[asyncpg.Connection]:
    """A raw connection as the application role, bypassing every line of our Python."""
    conn = await asyncpg.connect(_dsn(test_database.app_url))
    yield conn
    await conn.close()


async def _as_tenant(conn: asyncpg.Connection, client_id: uuid.UUID | None) -> None:
    await conn.execute("SELECT set_config('app.client_id', $1, true)", str(client_id) if client_id else "")


async def test_app_role_without_a_tenant_sees_no_rows(
    app_conn: asyncpg.Connection, container: Container
) -> None:
    user = await create_client_user(container)
    await create_position(container, user.client_id)
    for table in ("position", "trade", "client", "user_account", "audit_log", "broker_account"):
        assert await app_conn.fetchval(f'SELECT count(*) FROM "{table}"') == 0, table


async def test_tenant_a_reads_zero_rows_of_b_through_raw_sql(
    app_conn: asyncpg.Connection, container: Container
) -> None:
    alice, bob = await create_client_user(container), await create_client_user(container)
    await create_position(container, alice.client_id)
    await create_position(container, bob.client_id)
    await create_trade(container, bob.client_id)
    async with app_conn.transaction():
        await _as_tenant(app_conn, alice.client_id)
        owners = {r["client_id"] for r in await app_conn.fetch("SELECT client_id FROM position")}
        assert owners == {alice.client_id}
        assert (
            await app_conn.fetchval("SELECT count(*) FROM position WHERE client_id = $1", bob.client_id) == 0
        )
        assert await app_conn.fetchval("SELECT count(*) FROM trade WHERE client_id = $1", bob.client_id) == 0
        assert await app_conn.fetchval("SELECT count(*) FROM client WHERE id = $1", bob.client_id) == 0


async def test_insert_carrying_another_tenants_id_is_refused(
    app_conn: asyncpg.Connection, container: Container
) -> None:
    alice, bob = await create_client_user(container), await create_client_user(container)
    with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError, match="row-level security"):
        async with app_conn.transaction():
            await _as_tenant(app_conn, alice.client_id)
            await app_conn.execute(
                """INSERT INTO position (id, client_id, instrument_key, sec_type, symbol, underlying, multiplier,
                       quantity, average_cost, realized_pnl, opened_at, created_at, updated_at)
                   VALUES ($1, $2, 'SPY', 'stock', 'SPY', 'SPY', 1, 1, 1, 0, now(), now(), now())""",
                uuid.uuid4(),
                bob.client_id,
            )


async def test_update_moving_a_row_to_another_tenant_is_refused(
    app_conn: asyncpg.Connection, container: Container
) -> None:
    alice, bob = await create_client_user(container), await create_client_user(container)
    position_id = await create_position(container, alice.client_id)
    with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError, match="row-level security"):
        async with app_conn.transaction():
            await _as_tenant(app_conn, alice.client_id)
            await app_conn.execute(
                "UPDATE position SET client_id = $1 WHERE id = $2", bob.client_id, position_id
            )


async def test_tenants_read_the_global_trading_state_but_cannot_write_it(
    app_conn: asyncpg.Connection, container: Container
) -> None:
    alice = await create_client_user(container)
    async with app_conn.transaction():
        await _as_tenant(app_conn, alice.client_id)
        scopes = {r["scope"] for r in await app_conn.fetch("SELECT scope FROM trading_state")}
        assert scopes == {"global", str(alice.client_id)}
    with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError, match="row-level security"):
        async with app_conn.transaction():
            await _as_tenant(app_conn, alice.client_id)
            await app_conn.execute("UPDATE trading_state SET state = 'HALTED' WHERE scope = 'global'")


async def test_audit_log_is_append_only_for_the_app_role(
    app_conn: asyncpg.Connection, container: Container
) -> None:
    await create_client_user(container)
    for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError, match="permission denied"):
            async with app_conn.transaction():
                await app_conn.execute("SELECT set_config('app.cross_tenant', 'on', true)")
                await app_conn.execute(statement)


async def test_app_role_owns_nothing_and_cannot_bypass_rls(app_conn: asyncpg.Connection) -> None:
    role = await app_conn.fetchrow("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    assert role is not None
    assert (role["rolsuper"], role["rolbypassrls"]) == (False, False)
    owned = await app_conn.fetchval(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user"
    )
    assert owned == 0


async def test_owner_is_filtered_too_because_rls_is_forced(
    test_database: MigratedDatabase, container: Container
) -> None:
    user = await create_client_user(container)
    await create_position(container, user.client_id)
    conn = await asyncpg.connect(_dsn(test_database.owner_url))
    try:
        assert await conn.fetchval("SELECT count(*) FROM position") == 0
    finally:
        await conn.close()


async def test_every_tenant_owned_table_forces_rls_with_a_policy(app_conn: asyncpg.Connection) -> None:
    rows = await app_conn.fetch(
        """SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                  (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind = 'r'
             AND (c.relname = 'client' OR EXISTS (
                 SELECT 1 FROM information_schema.columns col
                 WHERE col.table_schema = 'public' AND col.table_name = c.relname AND col.column_name = 'client_id'))"""
    )
    found = {r["relname"] for r in rows} - set(SYSTEM_TABLES)
    assert found == set(TENANT_TABLES)
    unprotected = [
        r["relname"]
        for r in rows
        if r["relname"] in TENANT_TABLES
        and not (r["relrowsecurity"] and r["relforcerowsecurity"] and r["policies"])
    ]
    assert unprotected == []


def test_every_model_with_a_client_id_is_listed_as_tenant_owned() -> None:
    with_client = {name for name, table in Base.metadata.tables.items() if "client_id" in table.c}
    assert (with_client | {"client"}) - set(SYSTEM_TABLES) == set(TENANT_TABLES)
