"""Engine and sessions; every transaction carries its tenant scope into PostgreSQL."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc, make_url, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

SCOPE_KEY = "tenant_scope"
PING_AFTER_IDLE_SECONDS = 5.0
"""A pooled connection idle this long is pinged before use; a busier one goes straight to work."""
_IDLE_SINCE = "idle_since"
_SCOPE_SQL = text(
    "SELECT set_config('app.client_id', :client_id, true), set_config('app.cross_tenant', :cross, true)"
)


@dataclass(frozen=True, slots=True)
class TenantScope:
    """Which rows a transaction may touch: one client's, or every client's (audited elsewhere)."""

    client_id: uuid.UUID | None = None
    cross_tenant: bool = False

    @classmethod
    def for_client(cls, client_id: uuid.UUID) -> TenantScope:
        """Scope to one client."""
        return cls(client_id=client_id)


NO_TENANT = TenantScope()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the async engine with settings suited to the database behind `url`."""
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            # A fresh machine has no data directory yet; SQLite creates the file, not its folder.
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_async_engine(url, pool_size=10, max_overflow=20, **kwargs)
    event.listen(engine.sync_engine.pool, "checkin", _note_idle)
    event.listen(engine.sync_engine.pool, "checkout", _ping_if_idle)
    return engine


def _note_idle(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:
    # SQLAlchemy's pool_pre_ping costs three round trips (BEGIN, ping, ROLLBACK) on every checkout,
    # more than a hot read's own statements. A connection back in the pool a moment ago is alive;
    # one that sat idle may have been cut by a database restart or a proxy, so only that one is pinged.
    idle_since = record.info.get(_IDLE_SINCE)
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
        return
    try:
        dbapi_connection.ping()
    except Exception as error:
        # A dead idle connection means its siblings, idle as long, are likely dead too: the pool drops
        # every connection older than now and retries this checkout on a new one.
        raise exc.InvalidatePoolError(f"an idle pooled connection failed its ping: {error!r}") from error


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Create the session factory; objects stay readable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@event.listens_for(Session, "after_begin")
def _apply_scope(session: Session, _transaction: SessionTransaction, connection: Connection) -> None:
    # set_config(..., true) lasts for this transaction only, so a pooled connection never leaks
    # one tenant's scope into the next request.
    if connection.dialect.name != "postgresql":
        return
    connection.execute(_SCOPE_SQL, _scope_params(session.info.get(SCOPE_KEY, NO_TENANT)))


def _scope_params(scope: TenantScope) -> dict[str, str]:
    return {
        "client_id": str(scope.client_id) if scope.client_id else "",
        "cross": "on" if scope.cross_tenant else "off",
    }


async def set_scope(session: AsyncSession, scope: TenantScope) -> None:
    """Change the session's tenant scope, applying it to the open transaction too."""
    session.info[SCOPE_KEY] = scope
    if session.in_transaction() and session.bind is not None and session.bind.dialect.name == "postgresql":
        await session.execute(_SCOPE_SQL, _scope_params(scope))


@asynccontextmanager
async def scoped_session(
    factory: async_sessionmaker[AsyncSession], scope: TenantScope
) -> AsyncIterator[AsyncSession]:
    """Open a session in `scope` that commits on success and rolls back on error."""
    async with factory() as session:
        session.info[SCOPE_KEY] = scope
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
