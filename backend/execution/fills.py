"""Book a broker's executions: one fill row per execution id (duplicates ignored), positions follow."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.domain.instruments import Combo, Option, Side, SingleInstrument, Stock
from backend.domain.orders import Execution, OrderRequest
from backend.domain.position_math import Holding, apply_fill
from backend.models import Fill, Order, Position
from backend.realtime.publishers import fill_booked, portfolio_updated


@dataclass(frozen=True, slots=True)
class _Part:
    execution_id: str
    instrument: SingleInstrument
    side: Side
    quantity: Decimal
    price: Decimal
    commission: Decimal


def _parts(request: OrderRequest, execution: Execution) -> list[_Part]:
    commission = execution.commission.amount
    if isinstance(request.instrument, Combo):
        # A combo books per leg; the combo's commission is carried by its first leg.
        return [
            _Part(
                leg.execution_id,
                leg.instrument,
                leg.side,
                leg.quantity.value,
                leg.price,
                commission if i == 0 else Decimal(0),
            )
            for i, leg in enumerate(execution.legs)
        ]
    return [
        _Part(
            execution.execution_id,
            request.instrument,
            request.side,
            execution.quantity.value,
            execution.price,
            commission,
        )
    ]


async def position_row(session: AsyncSession, client_id: uuid.UUID, instrument: SingleInstrument) -> Position:
    """Return the client's position row for an instrument, adding an empty one when there is none."""
    row = (
        await session.execute(
            select(Position).where(Position.client_id == client_id, Position.instrument_key == instrument.key)
        )
    ).scalar_one_or_none()
    if row is not None:
        return row
    option = instrument if isinstance(instrument, Option) else None
    row = Position(
        client_id=client_id,
        instrument_key=instrument.key,
        sec_type="option" if option else "stock",
        symbol=instrument.key if option else instrument.underlying,
        underlying=instrument.underlying,
        expiry=option.expiry if option else None,
        strike=option.strike.value if option else None,
        option_right=option.right.value if option else None,
        multiplier=instrument.multiplier,
        quantity=Decimal(0),
        average_cost=Decimal(0),
        realized_pnl=Decimal(0),
    )
    session.add(row)
    return row


async def record_executions(
    session: AsyncSession, order: Order, request: OrderRequest, executions: Iterable[Execution]
) -> int:
    """Book every execution not booked yet; return how many fill rows were added."""
    added = 0
    moved: dict[str, Position] = {}
    for execution in executions:
        for part in _parts(request, execution):
            known = (
                await session.execute(
                    select(Fill.id).where(
                        Fill.client_id == order.client_id, Fill.execution_id == part.execution_id
                    )
                )
            ).first()
            if known is not None:
                continue
            try:
                async with session.begin_nested():
                    fill = Fill(
                        client_id=order.client_id,
                        order_id=order.id,
                        execution_id=part.execution_id,
                        instrument_key=part.instrument.key,
                        side=part.side.value.lower(),
                        quantity=part.quantity,
                        price=part.price,
                        commission=part.commission,
                        filled_at=execution.ts,
                    )
                    session.add(fill)
                    await session.flush()
            except IntegrityError:
                # Another consumer booked this execution first (unique per client): nothing to do.
                continue
            position = await position_row(session, order.client_id, part.instrument)
            held = apply_fill(
                Holding(position.quantity, position.average_cost, position.realized_pnl),
                part.quantity * part.side.sign,
                part.price,
                part.instrument.multiplier,
            )
            position.quantity, position.average_cost, position.realized_pnl = (
                held.quantity,
                held.average_cost,
                held.realized_pnl,
            )
            fill_booked(session, fill)
            moved[position.instrument_key] = position
            added += 1
    await session.flush()
    portfolio_updated(session, order.client_id, moved.values())
    return added


__all__ = ["Stock", "record_executions"]
