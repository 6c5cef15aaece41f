"""Implied volatility, prices and greeks for flat chains, one compiled loop over the options.

The scalar twin of implied_vol._solve, pricing.price_flat and pricing.greeks_flat: the same checks in
the same order give the same IVReason codes, the same formulas the same numbers.
"""

import math

import numpy as np

from backend.domain.option_math._arrays import BoolArray, FloatArray
from backend.domain.option_math._jit import exp, jit, log, maximum, ndtr, sinh
from backend.domain.option_math._lets_be_rational_kernel import normalised_implied_vol
from backend.domain.option_math._normalised_black_kernel import normalised_black_and_vega
from backend.domain.option_math.pricing import DAYS_PER_YEAR, INV_SQRT_2PI

DBL_EPSILON = float(np.finfo(np.float64).eps)
# IVReason codes (the enum lives in implied_vol, which imports this module).
NAN_INPUT = 1
NON_POSITIVE_TIME = 2
NEGATIVE_INPUT = 3
BELOW_INTRINSIC = 4
NO_TIME_VALUE = 5
ABOVE_UPPER_BOUND = 6
NOT_CONVERGED = 7
# Rows of the greeks matrix, in the field order of Greeks.
PRICE, DELTA, GAMMA, VEGA, THETA, RHO = range(6)


@jit
def _forward_scale(spot: float, strike: float, years: float, rate: float, dividend: float) -> float:
    """Return D sqrt(F K) = sqrt(S K) e^(-(r + q) T / 2), the unit of normalised prices."""
    return math.sqrt(spot * strike) * exp(-0.5 * (rate + dividend) * years)


@jit
def _write_greeks(
    out: FloatArray,
    i: int,
    spot: float,
    strike: float,
    years: float,
    rate: float,
    dividend: float,
    vol: float,
    x: float,
    sqrt_t: float,
    sign: float,
    price: float,
) -> None:
    """Write price (given), delta, gamma, vega, theta and rho of option i into column i of out."""
    s = vol * sqrt_t
    d1 = x / s + 0.5 * s
    d2 = d1 - s
    q_disc = exp(-dividend * years)
    r_disc = exp(-rate * years)
    cdf1 = ndtr(sign * d1)
    cdf2 = ndtr(sign * d2)
    spot_pdf = spot * q_disc * (INV_SQRT_2PI * exp(-0.5 * d1 * d1))
    strike_cdf = strike * r_disc * cdf2
    theta_year = -0.5 * spot_pdf * vol / sqrt_t - sign * (rate * strike_cdf - dividend * spot * q_disc * cdf1)
    out[PRICE, i] = price
    out[DELTA, i] = sign * q_disc * cdf1
    out[GAMMA, i] = spot_pdf / (spot * spot * s)
    out[VEGA, i] = spot_pdf * sqrt_t / 100.0
    out[THETA, i] = theta_year / DAYS_PER_YEAR
    out[RHO, i] = sign * years * strike_cdf / 100.0


@jit
def _price(
    spot: float, strike: float, years: float, rate: float, dividend: float, x: float, s: float, sign: float
) -> float:
    """Return the price from x = ln(F/K) and s = sigma sqrt(T) as intrinsic plus out-of-the-money value."""
    intrinsic = maximum(sign * 2.0 * sinh(0.5 * x), 0.0)
    scale = _forward_scale(spot, strike, years, rate, dividend)
    return scale * (intrinsic + normalised_black_and_vega(-abs(x), s)[0])


@jit
def _valid(spot: float, strike: float, years: float, rate: float, dividend: float, vol: float) -> bool:
    """Return whether inputs are finite with positive spot, strike, years and volatility."""
    finite = math.isfinite(spot) and math.isfinite(strike) and math.isfinite(years)
    finite = finite and math.isfinite(rate) and math.isfinite(dividend) and math.isfinite(vol)
    return finite and spot > 0 and strike > 0 and years > 0 and vol > 0


@jit
def solve_chain(
    price: FloatArray,
    spot: FloatArray,
    strike: FloatArray,
    years: FloatArray,
    rate: FloatArray,
    dividend: FloatArray,
    is_call: BoolArray,
    with_greeks: bool,
) -> tuple[FloatArray, np.ndarray, FloatArray]:
    """Return implied vols, IVReason codes and (when asked, else 0 rows) the greeks matrix at them."""
    n = price.size
    iv = np.full(n, np.nan)
    reason = np.zeros(n, dtype=np.int8)
    greeks = np.full((6, n if with_greeks else 0), np.nan)
    for i in range(n):
        p, sp, k, t, r, q = price[i], spot[i], strike[i], years[i], rate[i], dividend[i]
        finite = math.isfinite(p) and math.isfinite(sp) and math.isfinite(k)
        if not (finite and math.isfinite(t) and math.isfinite(r) and math.isfinite(q)):
            reason[i] = NAN_INPUT
            continue
        if t <= 0:
            reason[i] = NON_POSITIVE_TIME
            continue
        if sp <= 0 or k <= 0 or p < 0:
            reason[i] = NEGATIVE_INPUT
            continue
        sign = 1.0 if is_call[i] else -1.0
        x = log(sp / k) + (r - q) * t
        beta = p / _forward_scale(sp, k, t, r, q)
        beta_otm = beta - maximum(sign * 2.0 * sinh(0.5 * x), 0.0)
        # A price a few ulps under intrinsic is intrinsic rounded, not an arbitrage.
        if beta_otm < 0 and beta_otm > -4.0 * DBL_EPSILON * beta:
            beta_otm = 0.0
        x_otm = -abs(x)
        # Later checks win, as in the numpy path (at x_otm < -1490 the bound underflows to 0).
        code = 0
        if beta_otm < 0:
            code = BELOW_INTRINSIC
        if beta_otm == 0:
            code = NO_TIME_VALUE
        if beta_otm >= exp(0.5 * x_otm):
            code = ABOVE_UPPER_BOUND
        if code:
            reason[i] = code
            continue
        sqrt_t = math.sqrt(t)
        vol = normalised_implied_vol(beta_otm, x_otm) / sqrt_t
        if not (math.isfinite(vol) and vol > 0):
            reason[i] = NOT_CONVERGED
            continue
        iv[i] = vol
        if with_greeks:
            _write_greeks(greeks, i, sp, k, t, r, q, vol, x, sqrt_t, sign, p)
    return iv, reason, greeks


@jit
def price_chain(
    spot: FloatArray,
    strike: FloatArray,
    years: FloatArray,
    rate: FloatArray,
    dividend: FloatArray,
    vol: FloatArray,
    is_call: BoolArray,
) -> FloatArray:
    """Return Black-Scholes-Merton prices, NaN where an input is bad."""
    n = spot.size
    out = np.full(n, np.nan)
    for i in range(n):
        sp, k, t, r, q, v = spot[i], strike[i], years[i], rate[i], dividend[i], vol[i]
        if _valid(sp, k, t, r, q, v):
            x = log(sp / k) + (r - q) * t
            out[i] = _price(sp, k, t, r, q, x, v * math.sqrt(t), 1.0 if is_call[i] else -1.0)
    return out


@jit
def greeks_chain(
    spot: FloatArray,
    strike: FloatArray,
    years: FloatArray,
    rate: FloatArray,
    dividend: FloatArray,
    vol: FloatArray,
    is_call: BoolArray,
) -> FloatArray:
    """Return the greeks matrix (rows in Greeks field order, a column an option), NaN where an input is bad."""
    n = spot.size
    out = np.full((6, n), np.nan)
    for i in range(n):
        sp, k, t, r, q, v = spot[i], strike[i], years[i], rate[i], dividend[i], vol[i]
        if _valid(sp, k, t, r, q, v):
            sign = 1.0 if is_call[i] else -1.0
            x = log(sp / k) + (r - q) * t
            sqrt_t = math.sqrt(t)
            price = _price(sp, k, t, r, q, x, v * sqrt_t, sign)
            _write_greeks(out, i, sp, k, t, r, q, v, x, sqrt_t, sign, price)
    return out
