"""A parametric implied-volatility surface: term structure times a skewed, smiling strike profile.

ATM vol runs from ``volatility x level`` at the short end to ``volatility + term_slope`` at the
long end with a half-year time constant, so a vol spike (level above one) inverts the term
structure as it does in a sell-off. Across strikes the vol is ``atm x (1 + skew k + smile k^2)``
where ``k = ln(K/F) / (atm sqrt(T))`` is moneyness in standard deviations; a negative skew makes
puts richer than calls. Results are clipped to a sane band around ATM.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from backend.brokers.simulator.config import UnderlyingSpec

FloatArray = npt.NDArray[np.float64]

_TERM_TIME_CONSTANT = 0.5
_MIN_YEARS = 1.0 / (365.0 * 24.0)
_FLOOR, _CAP = 0.35, 4.0
_MAX_MONEYNESS = 8.0


def atm_volatility(spec: UnderlyingSpec, level: float, years: FloatArray) -> FloatArray:
    """Return the at-the-money implied vol for each maturity."""
    long_end = spec.volatility + spec.term_slope
    short_end = spec.volatility * level
    weight = np.exp(-np.asarray(years) / _TERM_TIME_CONSTANT)
    return long_end + (short_end - long_end) * weight


def standardised_moneyness(
    forward: FloatArray, strike: FloatArray, atm: FloatArray, years: FloatArray
) -> FloatArray:
    """Return ln(K/F) in standard deviations of the terminal log price, clipped to +-8."""
    spread = atm * np.sqrt(np.maximum(years, _MIN_YEARS))
    return np.clip(np.log(strike / forward) / spread, -_MAX_MONEYNESS, _MAX_MONEYNESS)


def implied_volatility(
    spec: UnderlyingSpec, level: float, forward: FloatArray, strike: FloatArray, years: FloatArray
) -> FloatArray:
    """Return the surface's implied vol at each (strike, maturity) pair."""
    atm = atm_volatility(spec, level, years)
    k = standardised_moneyness(forward, strike, atm, years)
    shape = 1.0 + spec.skew * k + spec.smile * k * k
    return atm * np.clip(shape, _FLOOR, _CAP)
