"""Value positions at the broker's current marks: market value, unrealised P&L and greeks (Decimal money)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from backend.brokers.base import BrokerPort, Quote
from backend.brokers.errors import BrokerError
from backend.domain.instruments import Option, OptionRight, Stock
from backend.domain.values import Price


class Holding(Protocol):
    """What valuing a position reads of it: a `Position` row or a `PositionRead` built from one."""

    @property
    def sec_type(self) -> str: ...
    @property
    def symbol(self) -> str: ...
    @property
    def underlying(self) -> str: ...
    @property
    def expiry(self) -> date | None: ...
    @property
    def strike(self) -> Decimal | None: ...
    @property
    def option_right(self) -> str | None: ...
    @property
    def multiplier(self) -> int: ...
    @property
    def quantity(self) -> Decimal: ...
    @property
    def average_cost(self) -> Decimal: ...


@dataclass(frozen=True, slots=True)
class Valuation:
    """One position at its mark; greeks are the position's (per-unit greek x quantity x multiplier)."""

    mark: Decimal | None = None
    market_value: Decimal | None = None
    unrealized_pnl: Decimal | None = None
    delta: float | None = None
    gamma: float | None = None
    vega: float | None = None
    theta: float | None = None
    as_of: datetime | None = None


def instrument_of(position: Holding) -> Stock | Option:
    """Rebuild the domain instrument a position row holds."""
    if position.sec_type == "stock":
        return Stock(position.symbol)
    assert position.expiry is not None
    assert position.strike is not None
    assert position.option_right is not None
    return Option(
        position.underlying,
        position.expiry,
        Price(position.strike),
        OptionRight(position.option_right),
        position.multiplier,
    )


def _value(position: Holding, quote: Quote | None) -> Valuation:
    if quote is None:
        return Valuation()
    mark = quote.mid if quote.mid is not None else (quote.last.value if quote.last else None)
    if mark is None:
        return Valuation(as_of=quote.ts)
    size = position.quantity * position.multiplier
    scale = float(size)
    if position.sec_type == "stock":
        greeks: tuple[float | None, ...] = (scale, 0.0, 0.0, 0.0)
    elif quote.greeks is not None:
        g = quote.greeks
        greeks = (g.delta * scale, g.gamma * scale, g.vega * scale, g.theta * scale)
    else:
        greeks = (None, None, None, None)
    return Valuation(
        mark=mark,
        market_value=mark * size,
        unrealized_pnl=(mark - position.average_cost) * size,
        delta=greeks[0],
        gamma=greeks[1],
        vega=greeks[2],
        theta=greeks[3],
        as_of=quote.ts,
    )


async def value_positions(broker: BrokerPort | None, positions: Sequence[Holding]) -> list[Valuation]:
    """Value every position with one quote request; without a broker or quotes, marks stay unknown."""
    if broker is None or not positions:
        return [Valuation() for _ in positions]
    try:
        quotes: list[Quote | None] = list(await broker.quotes([instrument_of(p) for p in positions]))
    except BrokerError:
        quotes = [None] * len(positions)
    return [_value(p, q) for p, q in zip(positions, quotes, strict=True)]
