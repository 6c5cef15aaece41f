"""Queries on trades, always scoped to the caller's client."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BindParameter, Select, Uuid, any_, bindparam, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from backend.kit.pagination import plain_rows
from backend.models import Trade, TradeLeg


def trades_of(
    client_id: uuid.UUID | BindParameter[Any], status: str | BindParameter[Any] | None = None
) -> Select[Any]:
    """Select the client's trades, newest first, optionally of one status."""
    statement = select(Trade).where(Trade.client_id == client_id)
    if status is not None:
        statement = statement.where(Trade.status == status)
    return statement.order_by(Trade.created_at.desc(), Trade.id)


def _legs_of(client_id: uuid.UUID, trade_ids: Sequence[uuid.UUID], *what: Any) -> Select[Any]:
    return (
        select(*what)
        .where(TradeLeg.client_id == client_id, TradeLeg.trade_id.in_(trade_ids))
        .order_by(TradeLeg.trade_id, TradeLeg.leg_index)
    )


async def legs_by_trade(
    session: AsyncSession, client_id: uuid.UUID, trade_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[TradeLeg]]:
    """Load the legs of several trades in one query."""
    if not trade_ids:
        return {}
    rows = (await session.execute(_legs_of(client_id, trade_ids, TradeLeg))).scalars()
    grouped: dict[uuid.UUID, list[TradeLeg]] = defaultdict(list)
    for leg in rows:
        grouped[leg.trade_id].append(leg)
    return grouped


class LegRows:
    """Several trades' legs as plain rows grouped by trade, read by statements built once."""

    def __init__(self, columns: Sequence[Any]) -> None:
        what, order = (TradeLeg.trade_id, *columns), (TradeLeg.trade_id, TradeLeg.leg_index)
        mine = TradeLeg.client_id == bindparam("client_id")
        # PostgreSQL takes the ids as one array parameter: an expanding IN renders, and type-casts, one
        # placeholder per id on every call (a list page has a hundred). SQLite has no arrays.
        ids = bindparam("trade_ids", type_=postgresql.ARRAY(Uuid()))
        self._array = select(*what).where(mine, TradeLeg.trade_id == any_(ids)).order_by(*order)
        listed = TradeLeg.trade_id.in_(bindparam("trade_ids", expanding=True))
        self._listed = select(*what).where(mine, listed).order_by(*order)

    async def by_trade(
        self, session: AsyncSession, client_id: uuid.UUID, trade_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[dict[str, Any]]]:
        """Read the legs of `trade_ids` in one query, as plain dicts grouped by trade."""
        if not trade_ids:
            return {}
        connection = await session.connection()  # Core: plain rows need no ORM step
        statement = self._array if connection.dialect.name == "postgresql" else self._listed
        result = await connection.execute(statement, {"client_id": client_id, "trade_ids": list(trade_ids)})
        grouped: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
        for leg in plain_rows(result):
            grouped[leg.pop("trade_id")].append(leg)
        return grouped
