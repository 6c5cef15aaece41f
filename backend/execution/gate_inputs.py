"""Gather what the gate decides on: fresh quotes, the broker's book, the client's limits, the trading state."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.agent.settings_service import parameters_in_force
from backend.brokers.base import AccountSummary, BrokerPort, Capabilities, Position, Quote
from backend.brokers.errors import BrokerError
from backend.domain.instruments import ComboLeg, Stock
from backend.domain.orders import OrderType, TimeInForce
from backend.execution.tickets import TradeTicket
from backend.models import AgentSettings, DayBaseline, Order, Trade
from backend.risk.context import (
    GateContext,
    HeldPosition,
    LegMarket,
    Portfolio,
    ProposedTrade,
    RiskLimits,
    TradingStatus,
)

logger = logging.getLogger("greekdesk.execution")
EXCHANGE_TZ = ZoneInfo("America/New_York")
"""The US listed options' calendar: expiries and days to expiry count on it."""
_LIMIT_FIELDS = {f.name: f for f in dataclasses.fields(RiskLimits)}


def trading_day(now: datetime, capabilities: Capabilities | None) -> date:
    """Return the venue's calendar date at `now`: the day daily loss counts over (SGX's, not New York's, for POEMS)."""
    # ZoneInfo keeps one instance per key: asking again costs a cache lookup, not a file read.
    zone = EXCHANGE_TZ if capabilities is None else ZoneInfo(capabilities.exchange_timezone)
    return now.astimezone(zone).date()


def limits_from_parameters(parameters: dict[str, Any]) -> RiskLimits:
    """Build the client's limits from its agent parameters' `risk` section over safe defaults."""
    defaults = RiskLimits()
    values: dict[str, Any] = {}
    for name, raw in (parameters.get("risk") or {}).items():
        field = _LIMIT_FIELDS.get(name)
        if field is None:
            continue
        current = getattr(defaults, name)
        try:
            if isinstance(current, bool):
                values[name] = bool(raw)
            elif isinstance(current, int):
                values[name] = int(raw)
            elif isinstance(current, Decimal):
                values[name] = Decimal(str(raw))
            elif name == "allowed_underlyings":
                values[name] = frozenset(str(s).upper() for s in raw) if raw is not None else None
        except (TypeError, ValueError, InvalidOperation):
            # Parameters are validated when saved; a bad stored value keeps the safe default.
            logger.warning("ignoring an invalid risk limit", extra={"limit": name})
    return dataclasses.replace(defaults, **values)


def limits_of(risk_profile: str, parameters: dict[str, Any] | None) -> RiskLimits:
    """Return the limits in force for a client's saved profile and parameters."""
    effective = parameters_in_force(risk_profile, parameters)
    return limits_from_parameters(effective.model_dump(mode="json"))


@dataclass(frozen=True, slots=True)
class ClientReads:
    """What a decision reads of the client in the database: its limits, its day's opening value, its order rate."""

    limits: RiskLimits
    opened: Decimal | None
    """The net liquidation the day counts from; None before the day's first look records it."""
    orders_last_minute: int


async def read_client(db: AsyncSession, client_id: uuid.UUID, day: date, now: datetime) -> ClientReads:
    """Read a decision's database inputs in one statement: every gate pass pays one round trip, not three."""
    mine = AgentSettings.client_id == client_id
    reads = (
        select(AgentSettings.risk_profile).where(mine),
        select(AgentSettings.parameters).where(mine),
        select(DayBaseline.net_liquidation).where(DayBaseline.client_id == client_id, DayBaseline.day == day),
        select(func.count())
        .select_from(Order)
        .where(Order.client_id == client_id, Order.created_at >= now - timedelta(minutes=1)),
    )
    row = (await db.execute(select(*(read.scalar_subquery() for read in reads)))).one()
    profile, parameters, opening, count = row
    limits = RiskLimits() if profile is None else limits_of(profile, parameters)
    return ClientReads(limits, opening, int(count))


async def day_opening_value(db: AsyncSession, client_id: uuid.UUID, day: date, current: Decimal) -> Decimal:
    """Return the net liquidation the client's day counts from, recording `current` when it is the first look.

    Kept in the database so every process, and a restart, measures the daily loss from the same point.
    """
    query = select(DayBaseline.net_liquidation).where(
        DayBaseline.client_id == client_id, DayBaseline.day == day
    )
    found = (await db.execute(query)).scalar_one_or_none()
    if found is not None:
        return found
    try:
        async with db.begin_nested():
            db.add(DayBaseline(client_id=client_id, day=day, net_liquidation=current))
            await db.flush()
    except IntegrityError:
        # Another process recorded the day first: its value stands.
        return Decimal((await db.execute(query)).scalar_one())
    return current


async def orders_in_last_minute(session: AsyncSession, client_id: uuid.UUID, now: datetime) -> int:
    """Count the client's orders written in the last 60 seconds."""
    count = await session.execute(
        select(func.count())
        .select_from(Order)
        .where(Order.client_id == client_id, Order.created_at >= now - timedelta(minutes=1))
    )
    return int(count.scalar_one())


async def _quotes(broker: BrokerPort, instruments: list[Any]) -> list[Quote | None]:
    try:
        return list(await broker.quotes(instruments))
    except BrokerError as exc:
        # No quote is a reason to deny, not an error: the rules fail closed on None.
        logger.info("quotes unavailable for the gate", extra={"code": exc.code})
        return [None] * len(instruments)


@dataclass(frozen=True, slots=True)
class ClientState:
    """What a decision reads of the client besides its book: the same for every trade at one instant."""

    limits: RiskLimits
    trading: TradingStatus
    orders_last_minute: int
    now: datetime
    day_pnl: Decimal


@dataclass(frozen=True, slots=True)
class TradeTerms:
    """A trade's terms as the gate reads them (a stored trade's, or a ticket's before it is stored)."""

    legs: tuple[ComboLeg, ...]
    quantity: int
    order_type: OrderType
    limit_price: Decimal | None
    time_in_force: TimeInForce
    origin: str

    @classmethod
    def of(cls, source: Trade | TradeTicket, legs: tuple[ComboLeg, ...], origin: str) -> TradeTerms:
        """Read the terms of a trade or a ticket whose domain legs are `legs`."""
        return cls(
            legs=legs,
            quantity=source.quantity,
            order_type=OrderType.LIMIT if source.order_type == "limit" else OrderType.MARKET,
            limit_price=source.limit_price,
            time_in_force=TimeInForce(source.time_in_force),
            origin=origin,
        )


@dataclass(frozen=True, slots=True)
class BrokerView:
    """What a decision reads of the broker, read before anything of ours: no pooled connection waits on it."""

    account: AccountSummary
    positions: list[Position]
    position_quotes: list[Quote | None]
    trade_quotes: list[Quote | None]
    """The underlying's quote, then each leg's: empty when the view was read for no one trade."""

    def portfolio(self, day_pnl: Decimal) -> Portfolio:
        """Freeze the book with the day's P&L (which needs the day's opening value, read after)."""
        return _portfolio(self.positions, self.position_quotes, self.account, day_pnl)


async def read_broker(broker: BrokerPort, terms: TradeTerms | None = None) -> BrokerView:
    """Read the account and the positions, and quote them with the trade's legs and underlying in one call."""
    account = await broker.account_summary()
    positions = await broker.positions()
    trade = _trade_instruments(terms) if terms is not None else []
    quotes = await _quotes(broker, [*trade, *(p.instrument for p in positions)])
    return BrokerView(account, positions, quotes[len(trade) :], quotes[: len(trade)])


def build_context(
    broker: BrokerPort, client_id: uuid.UUID, terms: TradeTerms, state: ClientState, view: BrokerView
) -> GateContext:
    """Freeze everything the rules need: a trade's terms, the broker's view read for it, the client's state."""
    return _context(broker, client_id, terms, view.trade_quotes, view.portfolio(state.day_pnl), state)


async def context_against(
    broker: BrokerPort, client_id: uuid.UUID, terms: TradeTerms, state: ClientState, portfolio: Portfolio
) -> GateContext:
    """Quote a trade's legs and underlying, and freeze them with a book and client state read before."""
    quotes = await _quotes(broker, _trade_instruments(terms))
    return _context(broker, client_id, terms, quotes, portfolio, state)


def _trade_instruments(terms: TradeTerms) -> list[Any]:
    return [Stock(terms.legs[0].instrument.underlying), *(leg.instrument for leg in terms.legs)]


def _portfolio(
    positions: list[Position], quotes: list[Quote | None], account: AccountSummary, day_pnl: Decimal
) -> Portfolio:
    book = tuple(
        HeldPosition(
            instrument=p.instrument,
            quantity=p.quantity,
            mark=q.mid if q else None,
            delta=q.greeks.delta if q and q.greeks else (1.0 if isinstance(p.instrument, Stock) else None),
            gamma=q.greeks.gamma if q and q.greeks else (0.0 if isinstance(p.instrument, Stock) else None),
            vega=q.greeks.vega if q and q.greeks else (0.0 if isinstance(p.instrument, Stock) else None),
        )
        for p, q in zip(positions, quotes, strict=True)
    )
    return Portfolio(
        positions=book,
        buying_power=account.buying_power.amount,
        net_liquidation=account.net_liquidation.amount,
        daily_pnl=day_pnl,
    )


def _context(
    broker: BrokerPort,
    client_id: uuid.UUID,
    terms: TradeTerms,
    quotes: list[Quote | None],
    portfolio: Portfolio,
    state: ClientState,
) -> GateContext:
    spot_quote, leg_quotes = quotes[0], quotes[1:]
    trade = ProposedTrade(
        client_id=client_id,
        underlying=terms.legs[0].instrument.underlying,
        legs=tuple(LegMarket(leg, q) for leg, q in zip(terms.legs, leg_quotes, strict=True)),
        quantity=terms.quantity,
        order_type=terms.order_type,
        limit_price=terms.limit_price,
        time_in_force=terms.time_in_force,
        origin=terms.origin,
        underlying_quote=spot_quote,
    )
    return GateContext(
        trade=trade,
        portfolio=portfolio,
        limits=state.limits,
        trading=state.trading,
        now=state.now,
        today=trading_day(state.now, broker.capabilities),
        orders_last_minute=state.orders_last_minute,
        capabilities=broker.capabilities,
    )
