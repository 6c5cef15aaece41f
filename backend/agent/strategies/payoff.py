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

A scan values thousands of structures of one chain: `Lognormal` values them all in one array
pass (each with its own volatility), and `Payoff` reduces each one's legs to numbers once.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt
from scipy.special import ndtr

from backend.domain.instruments import ComboLeg, Option, Stock
from backend.domain.option_math import bsm_price
from backend.domain.values import CENT

FloatArray = npt.NDArray[np.float64]
BREAKEVEN_QUANTUM = Decimal("0.0001")


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
class Payoff:
    """A unit's P&L at expiry reduced to numbers: cash, dollars per 1.00 of the underlying, option terms.

    `options` holds (signed contracts x multiplier, strike, is call) for each option leg.
    """

    cash: Decimal
    shares: Decimal
    options: tuple[tuple[int, Decimal, bool], ...]

    @classmethod
    def of(cls, legs: Sequence[ComboLeg], limit_price: Decimal, held: HeldStock | None) -> Payoff:
        """Reduce legs bought at `limit_price` (plus shares held) to their payoff."""
        cash = -limit_price * unit_multiplier(legs)
        shares = Decimal(0)
        options = []
        for leg in legs:
            instrument = leg.instrument
            weight = leg.signed_ratio * instrument.multiplier
            if isinstance(instrument, Option):
                options.append((weight, instrument.strike.value, instrument.is_call))
            else:
                shares += weight
        if held is not None:
            cash -= held.shares_per_unit * held.reference_price
            shares += held.shares_per_unit
        return cls(cash, shares, tuple(options))

    def at(self, price: Decimal) -> Decimal:
        """Return the P&L in dollars of one unit if the underlying ends at `price`."""
        total = self.cash + self.shares * price if self.shares else self.cash
        for weight, strike, is_call in self.options:
            intrinsic = price - strike if is_call else strike - price
            if intrinsic > 0:
                total += weight * intrinsic
        return total

    def tail_slope(self) -> Decimal:
        """Return dollars per unit gained per 1.00 the underlying rises above the highest strike."""
        return self.shares + sum((weight for weight, _, is_call in self.options if is_call), Decimal(0))

    def profile(self) -> Profile:
        """Return the max profit, max loss (positive dollars per unit) and breakevens."""
        prices = [Decimal(0), *sorted({strike for _, strike, _ in self.options})]
        points = [(price, self.at(price)) for price in prices]
        slope = self.tail_slope()
        values = [value for _, value in points]
        max_profit = None if slope > 0 else max(values)
        max_loss = None if slope < 0 else max(-min(values), Decimal(0))
        return Profile(max_profit, max_loss, _breakevens(points, slope))

    def profit_ranges(self, breakevens: Sequence[Decimal]) -> list[tuple[Decimal, Decimal | None]]:
        """Return the price ranges (low, high; None above) where the payoff is positive."""
        bounds = sorted({Decimal(0), *breakevens})
        ranges = []
        for i, low in enumerate(bounds):
            high = bounds[i + 1] if i + 1 < len(bounds) else None
            # Between consecutive breakevens the payoff keeps one sign: test it inside the range.
            inside = (low + high) / 2 if high is not None else low + max(low, Decimal(1))
            if self.at(inside) > 0:
                ranges.append((low, high))
        return ranges


@dataclass(frozen=True, slots=True)
class Lognormal:
    """The underlying at expiry under the model: spot, years and rates; each trade brings its volatility."""

    spot: float
    years: float
    rate: float
    dividend_yield: float

    def prob_above(self, prices: FloatArray, sigmas: FloatArray) -> FloatArray:
        """Return P(S_T > price) for each price at its volatility (1 at or below 0, 0 at infinity)."""
        with np.errstate(divide="ignore"):
            drift = (self.rate - self.dividend_yield - 0.5 * sigmas**2) * self.years
            z = (np.log(self.spot / prices) + drift) / (sigmas * math.sqrt(self.years))
        return np.where(prices <= 0, 1.0, ndtr(z))

    def probabilities_of_profit(
        self, trades: Sequence[tuple[Payoff, Sequence[Decimal], float]]
    ) -> list[float]:
        """Return each (payoff, breakevens, volatility)'s probability that the payoff ends positive."""
        ranges = [payoff.profit_ranges(breakevens) for payoff, breakevens, _ in trades]
        prices: list[float] = []
        sigmas: list[float] = []
        for (_, _, sigma), spans in zip(trades, ranges, strict=True):
            for low, high in spans:
                prices += [float(low), float(high) if high is not None else math.inf]
                sigmas += [sigma, sigma]
        above = iter(self.prob_above(np.array(prices), np.array(sigmas)).tolist())
        probabilities = []
        for spans in ranges:
            probability = 0.0
            for _ in spans:
                probability += next(above) - next(above)
            probabilities.append(min(max(probability, 0.0), 1.0))
        return probabilities

    def expected_values(self, trades: Sequence[tuple[Payoff, float]]) -> list[Decimal]:
        """Return each (payoff, volatility)'s expected P&L at expiry in dollars per unit, to the cent."""
        growth = math.exp(self.rate * self.years)
        forward = self.spot * math.exp((self.rate - self.dividend_yield) * self.years)
        strikes = [float(strike) for payoff, _ in trades for _, strike, _ in payoff.options]
        sigmas = [sigma for payoff, sigma in trades for _ in payoff.options]
        calls = [is_call for payoff, _ in trades for _, _, is_call in payoff.options]
        # One pricing call for every leg of every trade.
        prices = iter(
            bsm_price(self.spot, strikes, self.years, self.rate, self.dividend_yield, sigmas, calls).tolist()
            if strikes
            else []
        )
        values = []
        for payoff, _ in trades:
            total = float(payoff.cash) + float(payoff.shares) * forward
            for weight, _, _ in payoff.options:
                total += weight * next(prices) * growth
            values.append(Decimal(repr(total)).quantize(CENT))
        return values


def unit_multiplier(legs: Sequence[ComboLeg]) -> int:
    """Return the dollars per point of one unit's price: the options' multiplier (1 for shares alone)."""
    return max((leg.instrument.multiplier for leg in legs if isinstance(leg.instrument, Option)), default=1)


def unit_payoff(
    legs: Sequence[ComboLeg], limit_price: Decimal, held: HeldStock | None, price: Decimal
) -> Decimal:
    """Return the P&L in dollars of one unit bought at `limit_price` if the underlying ends at `price`."""
    return Payoff.of(legs, limit_price, held).at(price)


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
