"""Settings of the simulated venue: its universe, its microstructure, its fees and its accounts.

Spot levels and volatilities are round numbers in the range these names traded in 2025; they only
need to look plausible, not to track the real market.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum


class TickRule(StrEnum):
    """Minimum option price increments."""

    PENNY_ALL = "penny_all"
    """0.01 at every price (SPY, QQQ, IWM)."""
    PENNY_PILOT = "penny_pilot"
    """0.01 under $3, 0.05 from $3."""
    STANDARD = "standard"
    """0.05 under $3, 0.10 from $3."""


@dataclass(frozen=True, slots=True)
class UnderlyingSpec:
    """One simulated underlying: where it starts, how it moves, how its options are listed."""

    symbol: str
    spot: Decimal
    volatility: float
    """At-the-money 30-day implied volatility; realised diffusion uses ``realised_ratio`` of it."""
    dividend_yield: float = 0.0
    drift: float = 0.07
    jump_intensity: float = 3.0
    """Expected jumps a year."""
    jump_mean: float = -0.02
    jump_stdev: float = 0.04
    strike_increment: Decimal = Decimal("2.5")
    tick_rule: TickRule = TickRule.PENNY_PILOT
    skew: float = -0.12
    """Slope of implied vol per unit of standardised log-moneyness (negative: puts richer)."""
    smile: float = 0.02
    term_slope: float = 0.02
    """Long-dated minus short-dated ATM vol in calm markets (positive: upward sloping)."""
    realised_ratio: float = 0.9
    liquidity: float = 1.0
    """Scales displayed sizes, volume and open interest."""


DEFAULT_UNIVERSE: tuple[UnderlyingSpec, ...] = (
    UnderlyingSpec("SPY", Decimal("600.00"), 0.15, 0.012, jump_intensity=2.0, jump_mean=-0.015,
                   jump_stdev=0.02, strike_increment=Decimal(1), tick_rule=TickRule.PENNY_ALL,
                   skew=-0.20, smile=0.03, liquidity=5.0),
    UnderlyingSpec("QQQ", Decimal("530.00"), 0.19, 0.006, jump_intensity=2.0, jump_mean=-0.02,
                   jump_stdev=0.025, strike_increment=Decimal(1), tick_rule=TickRule.PENNY_ALL,
                   skew=-0.18, smile=0.03, liquidity=4.0),
    UnderlyingSpec("IWM", Decimal("220.00"), 0.22, 0.012, jump_intensity=2.0,
                   strike_increment=Decimal(1), tick_rule=TickRule.PENNY_ALL, skew=-0.15,
                   liquidity=2.0),
    UnderlyingSpec("AAPL", Decimal("210.00"), 0.26, 0.005, strike_increment=Decimal("2.5"),
                   skew=-0.10, liquidity=2.0),
    UnderlyingSpec("MSFT", Decimal("470.00"), 0.24, 0.007, strike_increment=Decimal(5),
                   skew=-0.10, liquidity=1.2),
    UnderlyingSpec("NVDA", Decimal("150.00"), 0.45, 0.0003, jump_intensity=5.0, jump_mean=-0.01,
                   jump_stdev=0.06, strike_increment=Decimal(1), skew=-0.06, smile=0.04,
                   liquidity=3.0),
    UnderlyingSpec("TSLA", Decimal("320.00"), 0.58, 0.0, jump_intensity=6.0, jump_mean=0.0,
                   jump_stdev=0.07, strike_increment=Decimal("2.5"), skew=-0.03, smile=0.05,
                   term_slope=-0.02, liquidity=2.5),
    UnderlyingSpec("AMZN", Decimal("215.00"), 0.32, 0.0, strike_increment=Decimal("2.5"),
                   skew=-0.08, liquidity=1.5),
)  # fmt: skip


class AccountType(StrEnum):
    """Cash accounts pay in full; margin accounts follow a Reg-T-like model."""

    CASH = "cash"
    MARGIN = "margin"


@dataclass(frozen=True, slots=True)
class CommissionSchedule:
    """Per-contract option fees and per-share stock fees with an order minimum."""

    per_contract: Decimal = Decimal("0.65")
    option_minimum: Decimal = Decimal("1.00")
    per_share: Decimal = Decimal("0.005")
    stock_minimum: Decimal = Decimal("1.00")
    stock_maximum_rate: Decimal = Decimal("0.01")
    """Stock fees are capped at this fraction of the trade's value."""


@dataclass(frozen=True, slots=True)
class AccountConfig:
    """How one client's simulated account starts and is margined."""

    starting_cash: Decimal = Decimal("100000")
    account_type: AccountType = AccountType.MARGIN
    cash_secured_puts: bool = False
    """Hold the full strike in cash for short puts instead of the Reg-T naked-put margin."""
    commissions: CommissionSchedule = field(default_factory=CommissionSchedule)
    currency: str = "USD"
    inside_spread_fill_rate: float = 0.05
    """Chance per market step that a resting limit at mid fills at its limit (four times it just inside the
    natural price):
    liquid options trade inside the spread, so a patient limit often fills without crossing it."""


@dataclass(frozen=True, slots=True)
class MarketConfig:
    """How the shared simulated market behaves."""

    seed: int = 7
    epoch: datetime | None = None
    """Start of the price paths; ``None`` means the clock's time when the market is built."""
    step: timedelta = timedelta(minutes=1)
    """Grid of the price paths; the path is the same however the clock is advanced."""
    universe: tuple[UnderlyingSpec, ...] = DEFAULT_UNIVERSE
    risk_free_rate: float = 0.043
    always_open: bool = False
    """Trade at any hour (for demos); expiries and DAY orders still follow the exchange calendar."""
    calendar_name: str = "XNYS"
    weekly_expiries: int = 6
    monthly_expiries: int = 6
    leaps_years: int = 2
    vol_mean_reversion: float = 6.0
    """Speed (per year) at which a shocked implied-vol level returns to normal."""
    vol_spot_beta: float = 4.0
    """Log implied-vol response to a log spot return (leverage effect)."""
