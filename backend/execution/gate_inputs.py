"""Gather what the gate decides on: fresh quotes, the broker's book, the client's limits, the trading state."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.agent.settings_service import effective_parameters
from backend.brokers.base import BrokerPort, Quote
from backend.brokers.errors import BrokerError
from backend.domain.instruments import ComboLeg, Stock
from backend.models import AgentSettings, DayBaseline, Order
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
_LIMIT_FIELDS = {f.name: f for f in dataclasses.fields(RiskLimits)}


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


async def client_limits(session: AsyncSession, client_id: uuid.UUID) -> RiskLimits:
    """Return the client's risk limits."""
    settings = (
        await session.execute(select(AgentSettings).where(AgentSettings.client_id == client_id))
    ).scalar_one_or_none()
    if settings is None:
        return RiskLimits()
    return limits_from_parameters(effective_parameters(settings).model_dump(mode="json"))


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


async def build_context(
    broker: BrokerPort,
    *,
    client_id: uuid.UUID,
    legs: tuple[ComboLeg, ...],
    quantity: int,
    order_type: Any,
    limit_price: Decimal | None,
    time_in_force: Any,
    origin: str,
    limits: RiskLimits,
    trading: TradingStatus,
    orders_last_minute: int,
    now: datetime,
    day_pnl: Decimal,
) -> GateContext:
    """Quote the legs, the underlying and the held options, and freeze everything the rules need."""
    underlying = legs[0].instrument.underlying
    positions = await broker.positions()
    account = await broker.account_summary()
    held = [p.instrument for p in positions]
    quotes = await _quotes(broker, [Stock(underlying), *(leg.instrument for leg in legs), *held])
    spot_quote, leg_quotes, held_quotes = quotes[0], quotes[1 : 1 + len(legs)], quotes[1 + len(legs) :]
    book = tuple(
        HeldPosition(
            instrument=p.instrument,
            quantity=p.quantity,
            mark=q.mid if q else None,
            delta=q.greeks.delta if q and q.greeks else (1.0 if isinstance(p.instrument, Stock) else None),
            gamma=q.greeks.gamma if q and q.greeks else (0.0 if isinstance(p.instrument, Stock) else None),
            vega=q.greeks.vega if q and q.greeks else (0.0 if isinstance(p.instrument, Stock) else None),
        )
        for p, q in zip(positions, held_quotes, strict=True)
    )
    trade = ProposedTrade(
        client_id=client_id,
        underlying=underlying,
        legs=tuple(LegMarket(leg, q) for leg, q in zip(legs, leg_quotes, strict=True)),
        quantity=quantity,
        order_type=order_type,
        limit_price=limit_price,
        time_in_force=time_in_force,
        origin=origin,
        underlying_quote=spot_quote,
    )
    portfolio = Portfolio(
        positions=book,
        buying_power=account.buying_power.amount,
        net_liquidation=account.net_liquidation.amount,
        daily_pnl=day_pnl,
    )
    return GateContext(
        trade=trade,
        portfolio=portfolio,
        limits=limits,
        trading=trading,
        now=now,
        today=now.astimezone(EXCHANGE_TZ).date(),
        orders_last_minute=orders_last_minute,
        capabilities=broker.capabilities,
    )
