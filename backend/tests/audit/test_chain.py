"""The audit log's hash chains verify, and an edited record is caught."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event, select, update

from backend.audit.service import Actor, open_cross_tenant, record, verify_chains
from backend.kit.container import Container
from backend.kit.db import NO_TENANT, TenantScope, scoped_session
from backend.models import AuditRecord
from backend.tests.conftest import ON_POSTGRES, AppFactory, MigratedDatabase, create_client_user


async def test_records_chain_per_client_and_verify(container: Container) -> None:
    user = await create_client_user(container)
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as session:
        first = await record(session, actor=Actor("user", "u"), action="test.one", client_id=user.client_id)
        second = await record(
            session, actor=Actor("user", "u"), action="test.two", client_id=user.client_id, data={"n": 1.5}
        )
    assert second.seq == first.seq + 1
    assert second.prev_hash == first.hash
    async with scoped_session(container.sessions, NO_TENANT) as session:
        await open_cross_tenant(session, actor=Actor.system("tests"), reason="verify")
        assert await verify_chains(session) == []


async def test_an_edited_record_breaks_its_chain(
    app_factory: AppFactory, fresh_database: MigratedDatabase
) -> None:
    if ON_POSTGRES:
        # The application role cannot UPDATE the audit log at all (see the RLS tests); this
        # test edits through the owner-less SQLite path, which has no such grant.
        return
    # A database of its own: the shared one must still verify when the session ends.
    app = app_factory(
        database_url=fresh_database.app_url,
        migration_database_url=fresh_database.owner_url,
        db_app_role=fresh_database.app_role,
    )
    container: Container = app.state.container
    user = await create_client_user(container)
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as session:
        target = await record(
            session, actor=Actor("user", "u"), action="test.edit-me", client_id=user.client_id
        )
        await record(session, actor=Actor("user", "u"), action="test.after", client_id=user.client_id)
    async with scoped_session(container.sessions, NO_TENANT) as session:
        await session.execute(
            update(AuditRecord).where(AuditRecord.id == target.id).values(action="test.forged")
        )
    async with scoped_session(container.sessions, NO_TENANT) as session:
        await open_cross_tenant(session, actor=Actor.system("tests"), reason="verify")
        breaks = await verify_chains(session)
        chain_rows = (
            (await session.execute(select(AuditRecord.id).where(AuditRecord.chain == str(user.client_id))))
            .scalars()
            .all()
        )
    assert [b.record_id for b in breaks if b.chain == str(user.client_id)] == [target.id]
    assert target.id in chain_rows


def _statements(container: Container) -> tuple[list[str], Callable[[], None]]:
    seen: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    engine = container.engine.sync_engine
    event.listen(engine, "before_cursor_execute", note)
    return seen, lambda: event.remove(engine, "before_cursor_execute", note)


async def test_a_transaction_appends_after_its_own_record_without_reading_the_head(
    container: Container,
) -> None:
    user = await create_client_user(container)
    actor = Actor("user", "u")
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as session:
        first = await record(session, actor=actor, action="test.one", client_id=user.client_id)
        seen, stop = _statements(container)
        try:
            second = await record(session, actor=actor, action="test.two", client_id=user.client_id)
            third = await record(session, actor=actor, action="test.three", client_id=user.client_id)
        finally:
            stop()
    assert len(seen) == 2, seen
    assert all(s.lstrip().upper().startswith("INSERT") for s in seen), seen
    assert (second.seq, second.prev_hash, third.seq, third.prev_hash) == (
        first.seq + 1,
        first.hash,
        first.seq + 2,
        second.hash,
    )
    async with scoped_session(container.sessions, NO_TENANT) as session:
        await open_cross_tenant(session, actor=Actor.system("tests"), reason="verify")
        assert await verify_chains(session) == []


async def test_a_record_rolled_back_with_its_savepoint_leaves_no_gap(container: Container) -> None:
    user = await create_client_user(container)
    actor = Actor("user", "u")
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as session:
        first = await record(session, actor=actor, action="test.kept", client_id=user.client_id)
        savepoint = await session.begin_nested()
        await record(session, actor=actor, action="test.undone", client_id=user.client_id)
        await savepoint.rollback()
        after = await record(session, actor=actor, action="test.after", client_id=user.client_id)
    assert (after.seq, after.prev_hash) == (first.seq + 1, first.hash)
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as session:
        await record(session, actor=actor, action="test.next", client_id=user.client_id)
        kept = (
            await session.execute(
                select(AuditRecord.action)
                .where(AuditRecord.chain == str(user.client_id))
                .order_by(AuditRecord.seq)
            )
        ).scalars()
        assert list(kept)[-3:] == ["test.kept", "test.after", "test.next"]
    async with scoped_session(container.sessions, NO_TENANT) as session:
        await open_cross_tenant(session, actor=Actor.system("tests"), reason="verify")
        assert await verify_chains(session) == []
