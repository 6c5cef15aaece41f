"""Keep our positions true to the broker's: book exercises, assignments and expiries; fix and record drift.

An event closes the option at zero (its premium is already in the position's cost) and books the
delivered stock at the strike, the way the venue settles it. Booking is idempotent by state: an
event is applied only while we still hold the option it settles, so a replayed event changes nothing.
"""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit.service import Actor, record
from backend.brokers.base import BrokerPort, PositionEvent
from backend.domain.instruments import SingleInstrument
from backend.domain.position_math import Holding, apply_fill
from backend.execution.fills import position_row
from backend.models import Position
from backend.realtime.publishers import portfolio_updated

logger = logging.getLogger("greekdesk.execution")


def _apply(position: Position, instrument: SingleInstrument, signed: Decimal, price: Decimal) -> None:
    held = apply_fill(
        Holding(position.quantity, position.average_cost, position.realized_pnl),
        signed,
        price,
        instrument.multiplier,
    )
    position.quantity, position.average_cost, position.realized_pnl = (
        held.quantity,
        held.average_cost,
        held.realized_pnl,
    )


async def book_position_event(db: AsyncSession, client_id: uuid.UUID, event: PositionEvent) -> bool:
    """Book one exercise, assignment or expiry; return False when it was already booked."""
    option = await position_row(db, client_id, event.instrument)
    if (
        option.quantity == 0
        or option.quantity * event.quantity < 0
        or abs(option.quantity) < abs(event.quantity)
    ):
        return False
    _apply(option, event.instrument, -event.quantity, Decimal(0))
    moved = [option]
    if event.delivered is not None and event.delivered_quantity:
        stock = await position_row(db, client_id, event.delivered)
        _apply(stock, event.delivered, event.delivered_quantity, event.instrument.strike.value)
        moved.append(stock)
    await db.flush()
    await record(
        db,
        actor=Actor.system("broker"),
        action=f"position.{event.kind.value}",
        client_id=client_id,
        subject=f"position:{event.instrument.key}",
        data={
            "event_id": event.event_id,
            "quantity": str(event.quantity),
            "delivered": event.delivered.key if event.delivered else None,
            "delivered_quantity": str(event.delivered_quantity),
            "settlement_price": None if event.settlement_price is None else str(event.settlement_price),
        },
    )
    portfolio_updated(db, client_id, moved)
    return True


async def fix_drift(db: AsyncSession, client_id: uuid.UUID, broker: BrokerPort) -> list[dict[str, str]]:
    """Set every position whose quantity differs from the broker's to the broker's, recording each fix."""
    theirs = {p.instrument.key: (p.instrument, p.quantity) for p in await broker.positions()}
    ours = {
        p.instrument_key: p
        for p in (await db.execute(select(Position).where(Position.client_id == client_id))).scalars()
    }
    fixes = []
    for key in sorted(set(theirs) | set(ours)):
        broker_quantity = theirs[key][1] if key in theirs else Decimal(0)
        row = ours.get(key)
        our_quantity = row.quantity if row is not None else Decimal(0)
        if broker_quantity == our_quantity:
            continue
        if row is None:
            row = await position_row(db, client_id, theirs[key][0])
        # The broker's book is the truth; the difference is kept in the audit trail for a person to read.
        row.quantity = broker_quantity
        if broker_quantity == 0:
            row.average_cost = Decimal(0)
        fix = {"instrument": key, "ours": str(our_quantity), "broker": str(broker_quantity)}
        fixes.append(fix)
        await record(
            db,
            actor=Actor.system("reconcile"),
            action="position.drift_fixed",
            client_id=client_id,
            subject=f"position:{key}",
            data=fix,
        )
    if fixes:
        await db.flush()
        logger.warning("position drift fixed", extra={"client_id": str(client_id), "count": len(fixes)})
    return fixes
