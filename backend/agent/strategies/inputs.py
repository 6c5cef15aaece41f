"""What a strategy reads: one expiry's chain, the client's holdings and the entry parameters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from backend.domain.instruments import Option, OptionRight
from backend.domain.ticks import PENNY_PILOT, TickSchedule
from backend.domain.values import InvalidValue, Price
from backend.market.schemas import ChainRead


@dataclass(frozen=True, slots=True)
class OptionRow:
    """One listed option of a chain: its market and the model's IV and greeks (per share)."""

    strike: Decimal
    right: OptionRight
    bid: Decimal | None
    ask: Decimal | None
    iv: float | None
    delta: float | None
    gamma: float | None
    vega: float | None
    theta: float | None
    open_interest: int
    volume: int

    @property
    def mid(self) -> Decimal | None:
        """Return the middle of a two-sided market, None when a side is missing."""
        if self.bid is None or self.ask is None:
            return None
        return (self.bid + self.ask) / 2


@dataclass(frozen=True, slots=True)
class ChainView:
    """One expiry of one underlying as of one instant, with the model inputs used to value it."""

    underlying: str
    expiry: date
    today: date
    spot: Decimal
    multiplier: int
    trading_class: str
    rate: float
    dividend_yield: float
    years: float
    rows: tuple[OptionRow, ...]
    ticks: TickSchedule = PENNY_PILOT
    """The single-leg tick schedule (multi-leg orders trade in pennies)."""
    _options: dict[tuple[Decimal, OptionRight], Option] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """Options already built: a strategy's search asks for the same few strikes thousands of times."""

    @property
    def dte(self) -> int:
        """Return the calendar days from the exchange date to expiry."""
        return (self.expiry - self.today).days

    def rows_of(self, right: OptionRight) -> list[OptionRow]:
        """Return the calls or the puts, by strike."""
        return sorted((row for row in self.rows if row.right is right), key=lambda row: row.strike)

    def option(self, row: OptionRow) -> Option:
        """Return the listed option a row quotes."""
        cache_key = (row.strike, row.right)
        option = self._options.get(cache_key)
        if option is None:
            option = Option(
                self.underlying,
                self.expiry,
                Price(row.strike),
                row.right,
                self.multiplier,
                self.trading_class,
            )
            self._options[cache_key] = option
        return option


@dataclass(frozen=True, slots=True)
class Holdings:
    """What the client holds that a strategy needs to know: shares, options held, cash capacity."""

    shares: Mapping[str, Decimal] = field(default_factory=dict)
    option_keys: frozenset[str] = frozenset()
    buying_power: Decimal = Decimal(0)
    net_liquidation: Decimal = Decimal(0)

    def shares_of(self, symbol: str) -> Decimal:
        """Return the shares held of `symbol` (0 when none)."""
        return self.shares.get(symbol.upper(), Decimal(0))


@dataclass(frozen=True, slots=True)
class StrategyParams:
    """How strategies pick, price and size trades; every field has a usable default."""

    target_delta_min: Decimal = Decimal("0.15")
    target_delta_max: Decimal = Decimal("0.35")
    min_dte: int = 7
    max_dte: int = 60
    min_credit: Decimal = Decimal("0.10")
    min_credit_to_width: Decimal = Decimal("0.20")
    max_spread_pct: Decimal = Decimal("0.25")
    min_open_interest: int = 100
    min_volume: int = 1
    max_contracts: int = 10
    max_risk_per_trade: Decimal = Decimal(2000)
    wing_width: Decimal = Decimal(5)
    edge: Decimal = Decimal("0.25")
    tick: Decimal = Decimal("0.01")
    combos_allowed: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.target_delta_min <= self.target_delta_max <= 1:
            raise InvalidValue("need 0 <= target_delta_min <= target_delta_max <= 1")
        if not 0 <= self.min_dte <= self.max_dte:
            raise InvalidValue("need 0 <= min_dte <= max_dte")
        if not 0 <= self.edge <= 1:
            raise InvalidValue(f"edge must lie in 0..1, got {self.edge}")
        if self.tick <= 0 or self.wing_width <= 0 or self.max_spread_pct <= 0:
            raise InvalidValue("tick, wing_width and max_spread_pct must be positive")
        negatives = (self.min_credit, self.min_credit_to_width, self.max_risk_per_trade)
        if any(value < 0 for value in negatives) or min(self.min_open_interest, self.min_volume) < 0:
            raise InvalidValue("credit, risk and liquidity minimums must not be negative")
        if self.max_contracts < 0:
            raise InvalidValue(f"max_contracts must not be negative, got {self.max_contracts}")


def _count(value: Decimal | None) -> int:
    return int(value) if value is not None else 0


def chain_view(read: ChainRead, today: date) -> ChainView:
    """Convert a valued chain from the market service into what strategies read."""
    rows = tuple(
        OptionRow(
            strike=quote.strike,
            right=OptionRight(quote.right),
            bid=quote.bid,
            ask=quote.ask,
            iv=quote.iv,
            delta=quote.delta,
            gamma=quote.gamma,
            vega=quote.vega,
            theta=quote.theta,
            open_interest=_count(quote.open_interest),
            volume=_count(quote.volume),
        )
        for quote in read.options
    )
    return ChainView(
        underlying=read.underlying,
        expiry=read.expiry,
        today=today,
        spot=read.underlying_price,
        multiplier=read.multiplier,
        trading_class=read.trading_class,
        rate=float(read.rate),
        dividend_yield=float(read.dividend_yield),
        years=read.time_to_expiry_years,
        rows=rows,
        ticks=read.ticks,
    )
