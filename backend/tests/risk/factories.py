"""Builders for gate contexts: instruments, quotes, legs, trades, books, limits."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from backend.brokers.base import DataSource, Greeks, Quote
from backend.domain.instruments import ComboLeg, Option, OptionRight, Side, Stock
from backend.domain.orders import OrderType, TimeInForce
from backend.domain.values import Price, Quantity
from backend.risk.context import (
    GateContext,
    HeldPosition,
    LegMarket,
    Portfolio,
    ProposedTrade,
    RiskLimits,
    TradingStatus,
)

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
CLIENT = uuid.UUID(int=1)
DEFAULT = object()
"""Marks an argument left to the factory (None is a meaningful value: no quote, no greeks)."""


def stock(symbol: str = "SPY") -> Stock:
    """Build a stock."""
    return Stock(symbol)


def option(
    strike: int | str | Decimal = 500,
    right: str = "C",
    *,
    dte: int = 30,
    underlying: str = "SPY",
    multiplier: int = 100,
) -> Option:
    """Build an option expiring `dte` days after TODAY."""
    return Option(
        underlying, TODAY + timedelta(days=dte), Price.of(strike), OptionRight(right), multiplier=multiplier
    )


def greeks(delta: float = 0.5, gamma: float = 0.01, vega: float = 0.2) -> Greeks:
    """Build per-share greeks."""
    return Greeks(delta=delta, gamma=gamma, vega=vega, theta=-0.05, rho=0.01)


def quote(
    instrument: Stock | Option,
    bid: str | Decimal | None = "1.00",
    ask: str | Decimal | None = "1.10",
    *,
    age: float = 0.0,
    greek: Greeks | object | None = DEFAULT,
    open_interest: int | None = 1_000,
    volume: int | None = 1_000,
) -> Quote:
    """Build a quote taken `age` seconds before NOW."""
    is_option = isinstance(instrument, Option)
    g = (greeks() if is_option else None) if greek is DEFAULT else greek
    assert g is None or isinstance(g, Greeks)
    return Quote(
        instrument=instrument,
        bid=None if bid is None else Price.of(bid),
        ask=None if ask is None else Price.of(ask),
        last=None,
        bid_size=Quantity.of(10),
        ask_size=Quantity.of(10),
        volume=None if volume is None else Quantity.of(volume),
        open_interest=None if open_interest is None else Quantity.of(open_interest),
        data_source=DataSource.LIVE,
        ts=NOW - timedelta(seconds=age),
        greeks=g,
    )


def leg(
    instrument: Stock | Option,
    side: Side | str = Side.BUY,
    ratio: int = 1,
    *,
    market: Quote | object | None = DEFAULT,
) -> LegMarket:
    """Build a leg with a fresh default quote unless `market` says otherwise."""
    q = quote(instrument) if market is DEFAULT else market
    assert q is None or isinstance(q, Quote)
    return LegMarket(ComboLeg(instrument, ratio, Side(side)), q)


def trade(
    *legs: LegMarket,
    quantity: int = 1,
    limit: str | Decimal | object | None = DEFAULT,
    order_type: OrderType = OrderType.LIMIT,
    underlying: str | None = None,
) -> ProposedTrade:
    """Build a trade; a limit order's price defaults to the legs' net mid."""
    legs = legs or (leg(option()),)
    price: Decimal | None
    if limit is DEFAULT:
        price = None
        if order_type is OrderType.LIMIT:
            mids = [m.quote.mid if m.quote is not None else None for m in legs]
            price = sum(
                (m.leg.signed_ratio * mid for m, mid in zip(legs, mids, strict=True) if mid is not None),
                Decimal(0),
            )
    else:
        assert limit is None or isinstance(limit, str | Decimal)
        price = None if limit is None else Decimal(limit)
    return ProposedTrade(
        client_id=CLIENT,
        underlying=underlying or legs[0].leg.instrument.underlying,
        legs=legs,
        quantity=quantity,
        order_type=order_type,
        limit_price=price,
        time_in_force=TimeInForce.DAY,
        origin="test",
    )


def held(
    instrument: Stock | Option,
    quantity: int | str | Decimal,
    *,
    delta: float | None = 0.5,
    gamma: float | None = 0.01,
    vega: float | None = 0.2,
) -> HeldPosition:
    """Build a held position with per-share greeks."""
    return HeldPosition(instrument, Decimal(quantity), None, delta, gamma, vega)


def roomy_limits(**overrides: Any) -> RiskLimits:
    """Return limits no ordinary test trade reaches, with `overrides` applied."""
    roomy = RiskLimits(
        max_contracts_per_order=1_000,
        max_notional_per_order=Decimal(10**9),
        max_premium_per_order=Decimal(10**9),
        max_open_positions=1_000,
        max_portfolio_delta=Decimal(10**9),
        max_underlying_delta=Decimal(10**9),
        max_portfolio_gamma=Decimal(10**9),
        max_portfolio_vega=Decimal(10**9),
        max_orders_per_minute=1_000,
        max_dte=3_650,
        allow_naked_puts=True,
    )
    return replace(roomy, **overrides)


def context(
    t: ProposedTrade | None = None,
    *,
    positions: tuple[HeldPosition, ...] = (),
    limits: RiskLimits | None = None,
    buying_power: Decimal | int = 10**9,
    daily_pnl: Decimal | int = 0,
    trading: TradingStatus | None = None,
    orders_last_minute: int = 0,
    margin_required: Decimal | None = None,
) -> GateContext:
    """Build a gate context at NOW around a trade (a one-lot call by default)."""
    return GateContext(
        trade=t or trade(),
        portfolio=Portfolio(
            positions=positions, buying_power=Decimal(buying_power), daily_pnl=Decimal(daily_pnl)
        ),
        limits=limits or roomy_limits(),
        trading=trading or TradingStatus(),
        now=NOW,
        today=TODAY,
        orders_last_minute=orders_last_minute,
        margin_required=margin_required,
    )
