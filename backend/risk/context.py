"""Everything the pre-trade gate looks at, frozen at one instant: the trade, the book, the limits, the state.

Pure values, no I/O: the execution service gathers them (quotes from the broker, positions and
limits from the database, trading state from the fast path) and the rules only read them.

Conventions: `limit_price` is the net price of one unit of the trade as written, signed as cash
out: positive is a debit paid, negative a credit received. A leg's `side` and `ratio` say how
many of it one unit buys or sells; `quantity` is the number of units.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from backend.brokers.base import Capabilities, Quote
from backend.domain.instruments import ComboLeg, Option, Stock
from backend.domain.orders import OrderType, TimeInForce


class TradingMode(StrEnum):
    """ACTIVE trades freely; REDUCING only lowers risk; HALTED sends nothing new."""

    ACTIVE = "ACTIVE"
    REDUCING = "REDUCING"
    HALTED = "HALTED"


@dataclass(frozen=True, slots=True)
class TradingStatus:
    """The global and the client's trading state, and whether exits are allowed while halted."""

    global_state: TradingMode = TradingMode.ACTIVE
    client_state: TradingMode = TradingMode.ACTIVE
    reduce_only_allowed: bool = True

    @property
    def effective(self) -> TradingMode:
        """Return the stricter of the two states."""
        order = [TradingMode.ACTIVE, TradingMode.REDUCING, TradingMode.HALTED]
        return max(self.global_state, self.client_state, key=order.index)


@dataclass(frozen=True, slots=True)
class LegMarket:
    """One leg and the quote it would trade against (None when no quote could be had)."""

    leg: ComboLeg
    quote: Quote | None


@dataclass(frozen=True, slots=True)
class ProposedTrade:
    """A trade as the gate sees it."""

    client_id: uuid.UUID
    underlying: str
    legs: tuple[LegMarket, ...]
    quantity: int
    order_type: OrderType
    limit_price: Decimal | None
    time_in_force: TimeInForce
    origin: str
    underlying_quote: Quote | None = None

    @property
    def options(self) -> tuple[tuple[ComboLeg, Option], ...]:
        """Return the option legs with their options."""
        return tuple((m.leg, m.leg.instrument) for m in self.legs if isinstance(m.leg.instrument, Option))

    @property
    def stocks(self) -> tuple[tuple[ComboLeg, Stock], ...]:
        """Return the stock legs with their stocks."""
        return tuple((m.leg, m.leg.instrument) for m in self.legs if isinstance(m.leg.instrument, Stock))

    def signed_units(self, leg: ComboLeg) -> int:
        """Return how many of this leg's instrument the whole trade buys (+) or sells (-)."""
        return leg.signed_ratio * self.quantity


@dataclass(frozen=True, slots=True)
class HeldPosition:
    """A position in the book with the greeks of one unit (per share, before the multiplier)."""

    instrument: Stock | Option
    quantity: Decimal
    mark: Decimal | None = None
    delta: float | None = None
    gamma: float | None = None
    vega: float | None = None


@dataclass(frozen=True, slots=True)
class Portfolio:
    """The client's book and balances as the broker reports them."""

    positions: tuple[HeldPosition, ...] = ()
    buying_power: Decimal = Decimal(0)
    net_liquidation: Decimal = Decimal(0)
    daily_pnl: Decimal = Decimal(0)
    """Realised plus unrealised P&L since the start of today's session (negative is a loss)."""

    def quantity_of(self, key: str) -> Decimal:
        """Return the signed quantity held of the instrument with this key (0 when none)."""
        return sum((p.quantity for p in self.positions if p.instrument.key == key), Decimal(0))


@dataclass(frozen=True, slots=True)
class RiskLimits:
    """The limits the gate enforces: per client from agent parameters, global ones from settings.

    Greek limits are in dollars of exposure: delta per 1.00 move of the underlying (shares
    equivalent times 1), gamma per 1.00 move, vega per vol point.
    """

    allowed_underlyings: frozenset[str] | None = None
    max_contracts_per_order: int = 10
    max_notional_per_order: Decimal = Decimal(100_000)
    max_premium_per_order: Decimal = Decimal(10_000)
    price_collar_pct: Decimal = Decimal("0.10")
    max_quote_age_seconds: int = 15
    max_spread_pct: Decimal = Decimal("0.25")
    min_open_interest: int = 10
    min_volume: int = 0
    min_dte: int = 0
    max_dte: int = 90
    allow_naked_puts: bool = False
    max_open_positions: int = 20
    max_portfolio_delta: Decimal = Decimal(50_000)
    max_underlying_delta: Decimal = Decimal(25_000)
    max_portfolio_gamma: Decimal = Decimal(5_000)
    max_portfolio_vega: Decimal = Decimal(5_000)
    max_daily_loss: Decimal = Decimal(2_000)
    max_orders_per_minute: int = 10


@dataclass(frozen=True, slots=True)
class GateContext:
    """One decision's inputs."""

    trade: ProposedTrade
    portfolio: Portfolio
    limits: RiskLimits
    trading: TradingStatus
    now: datetime
    today: date
    """The exchange's calendar date now (the day DTE and daily loss count from)."""
    orders_last_minute: int = 0
    margin_required: Decimal | None = None
    """What the broker says the trade would tie up, when it can tell; else the rules estimate."""
    notes: dict[str, str] = field(default_factory=dict)
    capabilities: Capabilities | None = None
    """What the client's broker can execute; None when unknown (the other rules still fail closed)."""
