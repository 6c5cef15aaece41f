"""Black-Scholes-Merton prices and greeks for whole chains (continuous rate and dividend yield)."""

from dataclasses import dataclass
from math import pi, sqrt

import numpy as np
from scipy.special import ndtr

from backend.domain.option_math._arrays import ArrayLike, BoolArray, FloatArray, broadcast_flat
from backend.domain.option_math._kernel import chain_kernel
from backend.domain.option_math._normalised_black import normalised_black_call

DAYS_PER_YEAR = 365.0
INV_SQRT_2PI = 1.0 / sqrt(2.0 * pi)


@dataclass(frozen=True, slots=True)
class Greeks:
    """Price and first-order greeks, float64 arrays of the broadcast input shape.

    delta: per 1.00 of spot. gamma: change of delta per 1.00 of spot. vega: per 1 volatility point
    (0.01 of sigma). theta: per calendar day (the per-year figure / 365). rho: per 1 percentage
    point of rate (0.01). price: the model price (from implied_vol_and_greeks: the price given).
    """

    price: FloatArray
    delta: FloatArray
    gamma: FloatArray
    vega: FloatArray
    theta: FloatArray
    rho: FloatArray


def valid_pricing_inputs(
    spot: FloatArray,
    strike: FloatArray,
    years: FloatArray,
    rate: FloatArray,
    dividend: FloatArray,
    vol: FloatArray,
) -> BoolArray:
    """Return where inputs are finite with positive spot, strike, years and volatility."""
    finite = np.isfinite(spot) & np.isfinite(strike) & np.isfinite(years)
    finite &= np.isfinite(rate) & np.isfinite(dividend) & np.isfinite(vol)
    return finite & (spot > 0) & (strike > 0) & (years > 0) & (vol > 0)


def log_moneyness(spot: FloatArray, strike: FloatArray, years: FloatArray, carry: FloatArray) -> FloatArray:
    """Return x = ln(F / K) with F the forward, carry = rate - dividend."""
    return np.log(spot / strike) + carry * years


def forward_scale(
    spot: FloatArray, strike: FloatArray, years: FloatArray, rate: FloatArray, dividend: FloatArray
) -> FloatArray:
    """Return D sqrt(F K) = sqrt(S K) e^(-(r + q) T / 2), the unit of normalised prices."""
    return np.sqrt(spot * strike) * np.exp(-0.5 * (rate + dividend) * years)


def price_flat(
    spot: FloatArray,
    strike: FloatArray,
    years: FloatArray,
    rate: FloatArray,
    dividend: FloatArray,
    x: FloatArray,
    s: FloatArray,
    sign: FloatArray,
) -> FloatArray:
    """Return prices from x = ln(F/K) and s = sigma sqrt(T) as intrinsic plus out-of-the-money value."""
    # Pricing the out-of-the-money twin and adding intrinsic avoids cancellation in both wings.
    intrinsic = np.maximum(sign * 2.0 * np.sinh(0.5 * x), 0.0)
    scale = forward_scale(spot, strike, years, rate, dividend)
    return scale * (intrinsic + normalised_black_call(-np.abs(x), s))


def greeks_flat(
    spot: FloatArray,
    strike: FloatArray,
    years: FloatArray,
    rate: FloatArray,
    dividend: FloatArray,
    vol: FloatArray,
    x: FloatArray,
    sqrt_t: FloatArray,
    sign: FloatArray,
    price: FloatArray | None = None,
) -> Greeks:
    """Return greeks from precomputed x = ln(F/K) and sqrt(T); price when already known, flat arrays."""
    s = vol * sqrt_t
    d1 = x / s + 0.5 * s
    d2 = d1 - s
    q_disc = np.exp(-dividend * years)
    r_disc = np.exp(-rate * years)
    cdf1 = ndtr(sign * d1)
    cdf2 = ndtr(sign * d2)
    spot_pdf = spot * q_disc * (INV_SQRT_2PI * np.exp(-0.5 * d1 * d1))  # S e^(-qT) phi(d1)
    strike_cdf = strike * r_disc * cdf2
    theta_year = -0.5 * spot_pdf * vol / sqrt_t - sign * (rate * strike_cdf - dividend * spot * q_disc * cdf1)
    return Greeks(
        price=price_flat(spot, strike, years, rate, dividend, x, s, sign) if price is None else price,
        delta=sign * q_disc * cdf1,
        gamma=spot_pdf / (spot * spot * s),
        vega=spot_pdf * sqrt_t / 100.0,
        theta=theta_year / DAYS_PER_YEAR,
        rho=sign * years * strike_cdf / 100.0,
    )


def _nan_where(greeks: Greeks, bad: BoolArray, shape: tuple[int, ...]) -> Greeks:
    """Put NaN where bad and reshape every field."""

    def fix(a: FloatArray) -> FloatArray:
        return np.where(bad, np.nan, a).reshape(shape)

    return Greeks(*(fix(getattr(greeks, f)) for f in Greeks.__dataclass_fields__))


def bsm_price(
    spot: ArrayLike,
    strike: ArrayLike,
    years: ArrayLike,
    rate: ArrayLike,
    dividend_yield: ArrayLike,
    volatility: ArrayLike,
    is_call: ArrayLike,
) -> FloatArray:
    """Price European options under Black-Scholes-Merton, NaN where an input is bad.

    Arguments broadcast together; years in years (365-day), rate and dividend_yield continuous
    per year (0.05 = 5%), volatility per year (0.2 = 20%), is_call bools or "C"/"P" letters.
    Bad elements (non-finite, years <= 0, spot, strike or volatility <= 0) give NaN alone.
    """
    shape, (spot_, strike_, years_, rate_, div_, vol_), calls = broadcast_flat(
        spot, strike, years, rate, dividend_yield, volatility, is_call=is_call
    )
    kernel = chain_kernel(calls.size)
    if kernel is not None:
        return kernel.price_chain(spot_, strike_, years_, rate_, div_, vol_, calls).reshape(shape)  # type: ignore[no-any-return]
    with np.errstate(all="ignore"):
        ok = valid_pricing_inputs(spot_, strike_, years_, rate_, div_, vol_)
        sign = np.where(calls, 1.0, -1.0)
        x = log_moneyness(spot_, strike_, years_, rate_ - div_)
        s = np.where(ok, vol_ * np.sqrt(np.where(ok, years_, 0.0)), 0.0)
        price = price_flat(spot_, strike_, years_, rate_, div_, x, s, sign)
        return np.where(ok, price, np.nan).reshape(shape)


def bsm_greeks(
    spot: ArrayLike,
    strike: ArrayLike,
    years: ArrayLike,
    rate: ArrayLike,
    dividend_yield: ArrayLike,
    volatility: ArrayLike,
    is_call: ArrayLike,
) -> Greeks:
    """Return price, delta, gamma, vega, theta and rho (units on Greeks), NaN where an input is bad."""
    shape, (spot_, strike_, years_, rate_, div_, vol_), calls = broadcast_flat(
        spot, strike, years, rate, dividend_yield, volatility, is_call=is_call
    )
    kernel = chain_kernel(calls.size)
    if kernel is not None:
        matrix = kernel.greeks_chain(spot_, strike_, years_, rate_, div_, vol_, calls)
        return Greeks(*(row.reshape(shape) for row in matrix))
    with np.errstate(all="ignore"):
        ok = valid_pricing_inputs(spot_, strike_, years_, rate_, div_, vol_)
        sign = np.where(calls, 1.0, -1.0)
        x = log_moneyness(spot_, strike_, years_, rate_ - div_)
        vol_ = np.where(ok, vol_, 1.0)
        sqrt_t = np.sqrt(np.where(ok, years_, 1.0))
        greeks = greeks_flat(spot_, strike_, years_, rate_, div_, vol_, x, sqrt_t, sign)
        return _nan_where(greeks, ~ok, shape)
