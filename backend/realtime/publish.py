"""Publish events that a transaction caused only once it commits; a rollback drops them.

`emit(db, client_id, data)` parks the event on the session; the commit hands it to the bus the
session factory was configured with (`attach_bus`). Events with no transaction behind them
(quotes, broker status) go straight through `EventBus.publish`.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, SessionTransaction

from backend.realtime.bus import EventBus, OutgoingEvent, outgoing
from backend.realtime.schemas import EventData

BUS_KEY = "realtime_bus"
PENDING_KEY = "realtime_pending"


def attach_bus(sessions: async_sessionmaker[AsyncSession], bus: EventBus) -> None:
    """Make every session from `sessions` deliver its committed events to `bus`."""
    sessions.configure(info={**sessions.kw.get("info", {}), BUS_KEY: bus})


def emit(db: AsyncSession | Session, client_id: uuid.UUID, data: EventData) -> None:
    """Queue an event on the session: published after its transaction commits, dropped on rollback."""
    pending: list[OutgoingEvent] = db.info.setdefault(PENDING_KEY, [])
    pending.append(outgoing(client_id, data))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint released: the outer transaction may still roll back
    pending: list[OutgoingEvent] | None = session.info.pop(PENDING_KEY, None)
    bus: EventBus | None = session.info.get(BUS_KEY)
    if pending and bus is not None:
        bus.submit(pending)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    # A savepoint rolled back undoes only its own work; the outer transaction's events stand.
    if previous_transaction.nested:
        return
    session.info.pop(PENDING_KEY, None)


def pending_events(db: AsyncSession | Session) -> list[Any]:
    """Return the events waiting for this session's commit (for tests and diagnostics)."""
    return list(db.info.get(PENDING_KEY, []))
