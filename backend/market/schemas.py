"""Quote and option-chain bodies: Decimal prices, model outputs as floats, explicit model inputs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from backend.domain.ticks import PENNY_PILOT, TickSchedule


class QuoteRead(BaseModel):
    """Top of book for one instrument."""

    symbol: str
    bid: Decimal | None
    ask: Decimal | None
    mid: Decimal | None
    last: Decimal | None
    bid_size: Decimal | None
    ask_size: Decimal | None
    volume: Decimal | None
    data_source: str
    ts: datetime


class QuotesRead(BaseModel):
    """Quotes in the order asked."""

    quotes: list[QuoteRead]


class ExpiriesRead(BaseModel):
    """The listed expiries of an underlying's options."""

    underlying: str
    trading_class: str
    multiplier: int
    exchange: str
    currency: str
    expiries: list[date]


class OptionQuoteRead(BaseModel):
    """One listed option with its market, and the model's IV and greeks from the mid.

    Greeks: delta and gamma per 1.00 of the underlying, vega per vol point, theta per calendar
    day, rho per 1% rate. The inputs used are given so anyone can recompute them.
    """

    symbol: str
    strike: Decimal
    right: str
    bid: Decimal | None
    ask: Decimal | None
    mid: Decimal | None
    last: Decimal | None
    volume: Decimal | None
    open_interest: Decimal | None
    data_source: str
    iv: float | None
    iv_status: str
    delta: float | None
    gamma: float | None
    vega: float | None
    theta: float | None
    rho: float | None
    underlying_price: Decimal
    rate: Decimal
    dividend_yield: Decimal
    time_to_expiry_years: float


class ChainRead(BaseModel):
    """Every listed strike of one expiry, calls and puts, as of one instant."""

    underlying: str
    expiry: date
    multiplier: int
    trading_class: str
    as_of: datetime
    expires_at: datetime
    underlying_price: Decimal
    rate: Decimal
    dividend_yield: Decimal
    time_to_expiry_years: float
    tick_below: Decimal = Field(
        default=PENNY_PILOT.below, description="Single-leg tick under tick_breakpoint (complex orders: 0.01)"
    )
    tick_above: Decimal = Field(
        default=PENNY_PILOT.above, description="Single-leg tick from tick_breakpoint up"
    )
    tick_breakpoint: Decimal = PENNY_PILOT.breakpoint

    @property
    def ticks(self) -> TickSchedule:
        """Return the single-leg tick schedule."""
        return TickSchedule(self.tick_below, self.tick_above, self.tick_breakpoint)

    options: list[OptionQuoteRead]
