"""Bodies of the option calculator."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from backend.kit.errors import AppError


class OptionCalculatorRequest(BaseModel):
    """A European option under Black-Scholes-Merton: give a volatility for a price, or a price for a volatility."""

    spot: Decimal = Field(gt=0, le=10_000_000, description="Underlying price")
    strike: Decimal = Field(gt=0, le=10_000_000)
    years: Decimal = Field(gt=0, le=30, description="Time to expiry in years (365-day year)")
    rate: Decimal = Field(ge=-1, le=1, description="Continuously compounded risk-free rate, 0.05 = 5%")
    dividend_yield: Decimal = Field(default=Decimal(0), ge=-1, le=1, description="Continuous dividend yield")
    right: Literal["C", "P"]
    volatility: Decimal | None = Field(default=None, gt=0, le=20, description="Annualised, 0.25 = 25%")
    price: Decimal | None = Field(default=None, ge=0, le=10_000_000, description="Option price per share")

    @model_validator(mode="after")
    def _exactly_one_of_volatility_or_price(self) -> OptionCalculatorRequest:
        if (self.volatility is None) == (self.price is None):
            raise ValueError("give exactly one of volatility (to price) or price (to imply volatility)")
        return self


class OptionGreeksRead(BaseModel):
    """Model greeks: delta and gamma per 1.00 of spot, vega per vol point, theta per calendar day, rho per 1% rate."""

    delta: float
    gamma: float
    vega: float
    theta: float
    rho: float


class OptionCalculatorResult(BaseModel):
    """The model price, the volatility used or implied, and the greeks."""

    price: float
    volatility: float
    greeks: OptionGreeksRead
    solved_for: Literal["price", "volatility"]


class NoImpliedVolatility(AppError):
    """The price admits no Black-Scholes volatility (below intrinsic, above the bound, no time value)."""

    status_code = 422
    code = "no_implied_volatility"
