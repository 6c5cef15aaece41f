"""Shape trades (with legs, orders and fills) for responses, loading related rows in bulk."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.kit.pagination import response_columns
from backend.models import Fill, Order, Trade, TradeLeg
from backend.trades.repository import LegRows, legs_by_trade
from backend.trades.schemas import FillRead, OrderRead, TradeDetailRead, TradeLegRead, TradeRead

# Lists read only the columns their response shows, as plain rows validated in one call.
TRADE_COLUMNS = response_columns(Trade, TradeRead)
_LEG_ROWS = LegRows(response_columns(TradeLeg, TradeLegRead))
_TRADE_ROWS = TypeAdapter(list[TradeRead])


async def trade_row_reads(
    session: AsyncSession, client_id: uuid.UUID, rows: Sequence[dict[str, Any]]
) -> list[TradeRead]:
    """Render trade rows (of `TRADE_COLUMNS`) with their legs, loading all the legs in one query."""
    legs = await _LEG_ROWS.by_trade(session, client_id, [row["id"] for row in rows])
    return _TRADE_ROWS.validate_python([{**row, "legs": legs.get(row["id"], [])} for row in rows])


async def trade_reads(
    session: AsyncSession, client_id: uuid.UUID, trades: Sequence[Trade]
) -> list[TradeRead]:
    """Render trades with their legs (one query for all legs)."""
    legs = await legs_by_trade(session, client_id, [t.id for t in trades])
    return [
        TradeRead.model_validate(
            {
                **{c: getattr(t, c) for c in TradeRead.model_fields if c != "legs"},
                "legs": [TradeLegRead.model_validate(leg) for leg in legs.get(t.id, [])],
            }
        )
        for t in trades
    ]


async def trade_detail(session: AsyncSession, client_id: uuid.UUID, trade: Trade) -> TradeDetailRead:
    """Render one trade with its legs, orders and fills."""
    (base,) = await trade_reads(session, client_id, [trade])
    orders = (
        (
            await session.execute(
                select(Order)
                .where(Order.client_id == client_id, Order.trade_id == trade.id)
                .order_by(Order.created_at)
            )
        )
        .scalars()
        .all()
    )
    fills = (
        (
            await session.execute(
                select(Fill)
                .where(Fill.client_id == client_id, Fill.order_id.in_([o.id for o in orders]))
                .order_by(Fill.filled_at, Fill.execution_id)
            )
        )
        .scalars()
        .all()
        if orders
        else []
    )
    return TradeDetailRead(
        **base.model_dump(),
        orders=[OrderRead.model_validate(o) for o in orders],
        fills=[FillRead.model_validate(f) for f in fills],
    )
