"""Queries on trading states and their history; the session's tenant scope applies on top."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.models import Client, TradingState, TradingStateChange
from backend.models.trading_state import GLOBAL_SCOPE


def scope_of(client_id: uuid.UUID | None) -> str:
    """Return the scope name of a client, or the global scope for None."""
    return str(client_id) if client_id is not None else GLOBAL_SCOPE


async def states(session: AsyncSession, scopes: Sequence[str]) -> dict[str, TradingState]:
    """Load the current rows of several scopes, keyed by scope."""
    rows = (await session.execute(select(TradingState).where(TradingState.scope.in_(scopes)))).scalars()
    return {row.scope: row for row in rows}


async def lock_state(session: AsyncSession, scope: str) -> TradingState | None:
    """Load one scope's row, locked until the transaction ends (PostgreSQL; SQLite serialises writers)."""
    statement = select(TradingState).where(TradingState.scope == scope).with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def client_exists(session: AsyncSession, client_id: uuid.UUID) -> bool:
    """Say whether the client exists (and is visible in this session's scope)."""
    return (await session.execute(select(Client.id).where(Client.id == client_id))).first() is not None


async def not_active(session: AsyncSession) -> list[TradingState]:
    """Load every client scope that is not ACTIVE, most recently changed first."""
    statement = (
        select(TradingState)
        .where(TradingState.client_id.is_not(None), TradingState.state != "ACTIVE")
        .order_by(TradingState.changed_at.desc(), TradingState.scope)
    )
    return list((await session.execute(statement)).scalars())


def history(client_id: uuid.UUID | None = None) -> Select[Any]:
    """Select state changes newest first: all of them, or one client's."""
    statement = select(TradingStateChange)
    if client_id is not None:
        statement = statement.where(TradingStateChange.client_id == client_id)
    return statement.order_by(TradingStateChange.changed_at.desc(), TradingStateChange.id)
