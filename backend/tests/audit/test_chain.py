"""The audit log's hash chains verify, and an edited record is caught."""

from __future__ import annotations

from sqlalchemy import select, update

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
