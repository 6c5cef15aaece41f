"""Manage what the agent opened: find its open structures, check the exit rules, propose the exits."""

from __future__ import annotations

import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from backend.agent.exits import ExitSignal, OpenStructure, exit_signal, value_now
from backend.agent.parameters import AgentParameters
from backend.agent.scanner import AGENT, OPEN_TRADE_STATUSES
from backend.agent.tickets import exit_ticket, expires_at
from backend.brokers.base import BrokerPort, Quote
from backend.domain.instruments import ComboLeg, Side, Stock
from backend.execution.service import ExecutionService, legs_of
from backend.execution.tickets import TradeTicket
from backend.models import Order, Trade
from backend.models.base import utcnow
from backend.trades.repository import legs_by_trade

EXIT_RETRY_AFTER = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Managed:
    """One open structure and the trade that opened it."""

    trade: Trade
    structure: OpenStructure


def _open_structures_statement() -> Select[Any]:
    child = aliased(Trade)
    exiting = (
        select(child.id)
        .where(
            child.parent_trade_id == Trade.id,
            or_(
                child.status.in_((*OPEN_TRADE_STATUSES, "filled")),
                # A denied exit is tried again, but not on every tick.
                and_(child.status == "denied", child.created_at > bindparam("retry_denied_after")),
            ),
        )
        .exists()
    )
    return select(Trade).where(
        Trade.client_id == bindparam("client_id"),
        Trade.origin == "agent",
        Trade.parent_trade_id.is_(None),
        Trade.status == "filled",
        ~exiting,
    )


# Built once: every agent tick of every client runs it.
_OPEN_STRUCTURES = _open_structures_statement()


class _Built:
    """Open structures already built, by trade id: a filled trade's legs, size and fill price never change.

    Every tick of every client with open structures reads them; only the trades not seen before cost
    the legs and fills queries and the legs' instruments. Bounded, least recently used first out.
    """

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._structures: OrderedDict[uuid.UUID, OpenStructure] = OrderedDict()

    def get(self, trade_id: uuid.UUID) -> OpenStructure | None:
        """Return the structure built for the trade, if any."""
        found = self._structures.get(trade_id)
        if found is not None:
            self._structures.move_to_end(trade_id)
        return found

    def put(self, trade_id: uuid.UUID, structure: OpenStructure) -> None:
        """Keep a structure built from a filled trade whose fill price is booked."""
        self._structures[trade_id] = structure
        if len(self._structures) > self._capacity:
            self._structures.popitem(last=False)


_BUILT = _Built(capacity=50_000)


async def open_structures(db: AsyncSession, client_id: uuid.UUID) -> list[Managed]:
    """Return the agent's filled trades with no exit under way, done or just denied (held or not: see `held_in_full`)."""
    values = {"client_id": client_id, "retry_denied_after": utcnow() - EXIT_RETRY_AFTER}
    trades = (await db.execute(_OPEN_STRUCTURES, values)).scalars().all()
    if not trades:
        return []
    built = {trade.id: structure for trade in trades if (structure := _BUILT.get(trade.id)) is not None}
    new = [trade for trade in trades if trade.id not in built]
    if new:
        built |= await _build(db, client_id, new)
    return [Managed(trade, built[trade.id]) for trade in trades]


async def _build(
    db: AsyncSession, client_id: uuid.UUID, trades: list[Trade]
) -> dict[uuid.UUID, OpenStructure]:
    # One query for all the legs and one for all the fills, not two a trade.
    ids = [trade.id for trade in trades]
    legs_by_id = await legs_by_trade(db, client_id, ids)
    fills = await db.execute(
        select(Order.trade_id, Order.average_fill_price).where(
            Order.trade_id.in_(ids), Order.status == "filled"
        )
    )
    fill_prices = {trade_id: price for trade_id, price in fills}
    built = {}
    for trade in trades:
        legs = legs_of(legs_by_id.get(trade.id, []))
        price = fill_prices.get(trade.id)
        entry = Decimal(price) if price is not None else trade.limit_price or Decimal(0)
        built[trade.id] = OpenStructure(legs, trade.quantity, entry)
        if price is not None:
            # Without a booked fill price the entry is a stand-in: built again until there is one.
            _BUILT.put(trade.id, built[trade.id])
    return built


def held_in_full(managed: Managed, held: dict[str, Decimal]) -> bool:
    """Tell whether the broker still holds every leg of a structure (else it is no longer the agent's to manage)."""
    structure = managed.structure
    return all(_held(leg, structure.quantity, held) for leg in structure.legs)


def _held(leg: ComboLeg, quantity: int, held: dict[str, Decimal]) -> bool:
    want = Decimal(leg.signed_ratio * quantity)
    have = held.get(leg.instrument.key, Decimal(0))
    return have * want > 0 and abs(have) >= abs(want)


def closing_price(structure: OpenStructure, quotes: list[Quote], collar_pct: Decimal) -> Decimal | None:
    """Return a unit's closing net: the natural price, kept inside the gate's collar around mid."""
    natural = Decimal(0)
    for leg, quote in zip(structure.legs, quotes, strict=True):
        # Closing reverses the leg: buy back a short at the ask, sell a long at the bid.
        if leg.side is Side.SELL:
            if quote.ask is None:
                return None
            natural += quote.ask.value * leg.ratio
        else:
            if quote.bid is None:
                return None
            natural -= quote.bid.value * leg.ratio
    mid = value_now(structure, tuple(q.mid for q in quotes))
    if mid is None:
        return natural
    close_mid = -mid
    band = abs(close_mid) * collar_pct * Decimal("0.9")
    if band == 0:
        return natural
    return min(natural, close_mid + band)


async def manage(
    db: AsyncSession,
    execution: ExecutionService,
    broker: BrokerPort,
    client_id: uuid.UUID,
    *,
    params: AgentParameters,
    mode: str,
    now: datetime,
    today: date,
) -> list[tuple[Trade, ExitSignal]]:
    """Propose an exit for every open structure whose rule fires; return the exits proposed.

    Ends the caller's transaction before it asks the broker anything: a broker that answers slowly
    must not hold a pooled connection (the agent's ticks of a whole worker would starve the pool).
    """
    structures = await open_structures(db, client_id)
    await db.commit()
    if not structures:
        return []
    held = {p.instrument.key: p.quantity for p in await broker.positions()}
    due: list[tuple[Managed, ExitSignal, TradeTicket]] = []
    for managed in structures:
        # Assigned, exercised, expired or closed by hand: no longer the agent's to manage.
        if not held_in_full(managed, held):
            continue
        exit_due = await _exit_due(broker, managed.structure, params, today)
        if exit_due is not None:
            due.append((managed, *exit_due))
    proposed = []
    for managed, signal, ticket in due:
        trade = await execution.propose(
            db,
            client_id,
            ticket,
            origin="agent",
            actor=AGENT,
            strategy=f"exit:{signal.reason}",
            expires_at=expires_at(mode, now, params.proposal_ttl_seconds),
        )
        trade.parent_trade_id = managed.trade.id
        trade.metrics = {"exit": signal.reason, "detail": signal.detail, "opened_by": str(managed.trade.id)}
        await db.flush()
        proposed.append((trade, signal))
    return proposed


async def _exit_due(
    broker: BrokerPort, structure: OpenStructure, params: AgentParameters, today: date
) -> tuple[ExitSignal, TradeTicket] | None:
    underlying = structure.legs[0].instrument.underlying
    spot_quote, *quotes = await broker.quotes(
        [Stock(underlying), *(leg.instrument for leg in structure.legs)]
    )
    signal = exit_signal(structure, tuple(q.mid for q in quotes), spot_quote.mid, today, params.management)
    if signal is None:
        return None
    price = closing_price(structure, quotes, params.risk.price_collar_pct)
    if price is None:
        return None
    ticks = (await broker.option_chain(underlying)).ticks
    return signal, exit_ticket(structure, price, ticks, f"Exit ({signal.reason}): {signal.detail}")
