"""Payoff at expiry of option legs (plus shares already held) and what the model says about it.

Amounts here are dollars per unit (one combo of the legs); callers multiply by the quantity. The
payoff is piecewise linear in the underlying's price with kinks at the strikes, so its extremes
and breakevens are found exactly in Decimal from its values at 0 and at each strike and its slope
above the highest strike.

The model is one lognormal for the underlying at expiry: risk-neutral drift (rate minus dividend
yield) and one volatility, the mean of the option legs' implied volatilities. The probability of
profit sums P(a < S_T < b) = N(d2(a)) - N(d2(b)) over the ranges where the payoff is positive. The
expected value is the exact integral of the payoff over that lognormal: each option leg's
undiscounted Black-Scholes price at that volatility is its expected payoff, a share's is the
forward; it is a P&L at expiry, not discounted.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from scipy.special import ndtr

from backend.domain.instruments import ComboLeg, Option, Stock
from backend.domain.option_math import bsm_price

BREAKEVEN_QUANTUM = Decimal("0.0001")
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class HeldStock:
    """Shares already held that a trade covers or hedges, valued from `reference_price` on."""

    stock: Stock
    shares_per_unit: int
    reference_price: Decimal


@dataclass(frozen=True, slots=True)
class Profile:
    """Extremes and breakevens of a payoff per unit; None for an unlimited profit or loss."""

    max_profit: Decimal | None
    max_loss: Decimal | None
    breakevens: tuple[Decimal, ...]


@dataclass(frozen=True, slots=True)
class Lognormal:
    """The underlying at expiry under the model: spot, years, rates and one volatility."""

    spot: float
    years: float
    rate: float
    dividend_yield: float
    sigma: float

    def prob_above(self, price: Decimal) -> float:
        """Return P(S_T > price)."""
        if price <= 0:
            return 1.0
        s = self.sigma * math.sqrt(self.years)
        drift = (self.rate - self.dividend_yield - 0.5 * self.sigma**2) * self.years
        return float(ndtr((math.log(self.spot / float(price)) + drift) / s))


def unit_multiplier(legs: Sequence[ComboLeg]) -> int:
    """Return the dollars per point of one unit's price: the options' multiplier (1 for shares alone)."""
    return max((leg.instrument.multiplier for leg in legs if isinstance(leg.instrument, Option)), default=1)


def _value(instrument: Stock | Option, price: Decimal) -> Decimal:
    return instrument.intrinsic(price) if isinstance(instrument, Option) else price


def unit_payoff(
    legs: Sequence[ComboLeg], limit_price: Decimal, held: HeldStock | None, price: Decimal
) -> Decimal:
    """Return the P&L in dollars of one unit bought at `limit_price` if the underlying ends at `price`."""
    total = -limit_price * unit_multiplier(legs)
    for leg in legs:
        total += leg.signed_ratio * _value(leg.instrument, price) * leg.instrument.multiplier
    if held is not None:
        total += held.shares_per_unit * (price - held.reference_price)
    return total


def _strikes(legs: Sequence[ComboLeg]) -> list[Decimal]:
    return sorted({leg.instrument.strike.value for leg in legs if isinstance(leg.instrument, Option)})


def _tail_slope(legs: Sequence[ComboLeg], held: HeldStock | None) -> Decimal:
    """Return dollars per unit gained per 1.00 the underlying rises above the highest strike."""
    slope = Decimal(held.shares_per_unit if held is not None else 0)
    for leg in legs:
        instrument = leg.instrument
        if isinstance(instrument, Stock) or instrument.is_call:
            slope += leg.signed_ratio * instrument.multiplier
    return slope


def _breakevens(points: list[tuple[Decimal, Decimal]], slope: Decimal) -> tuple[Decimal, ...]:
    found: set[Decimal] = set()
    for (a, fa), (b, fb) in itertools.pairwise(points):
        if fa == 0:
            found.add(a)
        elif fb != 0 and (fa < 0) != (fb < 0):
            found.add(a + (b - a) * fa / (fa - fb))
    last, f_last = points[-1]
    if f_last == 0:
        found.add(last)
    elif slope != 0 and (f_last < 0) != (slope < 0):
        found.add(last - f_last / slope)
    return tuple(sorted(value.quantize(BREAKEVEN_QUANTUM) for value in found))


def profile(legs: Sequence[ComboLeg], limit_price: Decimal, held: HeldStock | None) -> Profile:
    """Return the max profit, max loss (positive dollars per unit) and breakevens of a payoff."""
    prices = [Decimal(0), *(_strikes(legs))]
    points = [(price, unit_payoff(legs, limit_price, held, price)) for price in prices]
    slope = _tail_slope(legs, held)
    values = [value for _, value in points]
    max_profit = None if slope > 0 else max(values)
    max_loss = None if slope < 0 else max(-min(values), Decimal(0))
    return Profile(max_profit, max_loss, _breakevens(points, slope))


def probability_of_profit(
    legs: Sequence[ComboLeg],
    limit_price: Decimal,
    held: HeldStock | None,
    breakevens: Sequence[Decimal],
    model: Lognormal,
) -> float:
    """Return the model's probability that the payoff at expiry is positive."""
    bounds = sorted({Decimal(0), *breakevens})
    probability = 0.0
    for i, low in enumerate(bounds):
        high = bounds[i + 1] if i + 1 < len(bounds) else None
        # Between consecutive breakevens the payoff keeps one sign: test it inside the range.
        inside = (low + high) / 2 if high is not None else low + max(low, Decimal(1))
        if unit_payoff(legs, limit_price, held, inside) > 0:
            above_high = model.prob_above(high) if high is not None else 0.0
            probability += model.prob_above(low) - above_high
    return min(max(probability, 0.0), 1.0)


def expected_value(
    legs: Sequence[ComboLeg], limit_price: Decimal, held: HeldStock | None, model: Lognormal
) -> Decimal:
    """Return the model's expected P&L at expiry in dollars per unit, to the cent."""
    growth = math.exp(model.rate * model.years)
    forward = model.spot * math.exp((model.rate - model.dividend_yield) * model.years)
    total = -float(limit_price) * unit_multiplier(legs)
    options = [leg.instrument for leg in legs if isinstance(leg.instrument, Option)]
    # One pricing call for all the legs: a scan values thousands of structures.
    prices = iter(
        bsm_price(
            model.spot,
            [float(option.strike.value) for option in options],
            model.years,
            model.rate,
            model.dividend_yield,
            model.sigma,
            [option.is_call for option in options],
        ).tolist()
        if options
        else []
    )
    for leg in legs:
        instrument = leg.instrument
        expected = next(prices) * growth if isinstance(instrument, Option) else forward
        total += leg.signed_ratio * expected * instrument.multiplier
    if held is not None:
        total += held.shares_per_unit * (forward - float(held.reference_price))
    return Decimal(repr(total)).quantize(CENT)
