"""Implied volatility for whole chains: per-element reasons, never an exception for a bad element."""

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from backend.domain.option_math._arrays import ArrayLike, BoolArray, FloatArray, broadcast_flat
from backend.domain.option_math._kernel import chain_kernel
from backend.domain.option_math._lets_be_rational import normalised_implied_vol
from backend.domain.option_math.pricing import Greeks, forward_scale, greeks_flat, log_moneyness

DBL_EPSILON = float(np.finfo(np.float64).eps)


class IVReason(IntEnum):
    """Why an element has, or has no, implied volatility."""

    OK = 0
    NAN_INPUT = 1  # an input is NaN or infinite
    NON_POSITIVE_TIME = 2  # years <= 0
    NEGATIVE_INPUT = 3  # spot or strike <= 0, or price < 0
    BELOW_INTRINSIC = 4  # price below the discounted intrinsic value
    NO_TIME_VALUE = 5  # price equals intrinsic: volatility would be 0
    ABOVE_UPPER_BOUND = 6  # call >= S e^(-qT) or put >= K e^(-rT)
    NOT_CONVERGED = 7  # the solver did not land on a finite positive volatility


@dataclass(frozen=True, slots=True)
class ImpliedVolResult:
    """Implied volatility per element (per year, NaN where undefined) and an IVReason code each."""

    iv: FloatArray
    reason: np.ndarray


@dataclass(frozen=True, slots=True)
class _Solved:
    """Flat intermediate results shared by implied_volatility and implied_vol_and_greeks."""

    shape: tuple[int, ...]
    iv: FloatArray
    reason: np.ndarray
    inputs: list[FloatArray]
    x: FloatArray
    sqrt_t: FloatArray
    sign: FloatArray


def _solve(shape: tuple[int, ...], inputs: list[FloatArray], calls: BoolArray) -> _Solved:
    """Classify every element of the flat inputs and solve the well-posed ones."""
    price_, spot_, strike_, years_, rate_, div_ = inputs
    reason = np.zeros(price_.shape, dtype=np.int8)
    finite = np.isfinite(price_) & np.isfinite(spot_) & np.isfinite(strike_)
    finite &= np.isfinite(years_) & np.isfinite(rate_) & np.isfinite(div_)
    reason[~finite] = IVReason.NAN_INPUT
    reason[finite & (years_ <= 0)] = IVReason.NON_POSITIVE_TIME
    reason[finite & (years_ > 0) & ((spot_ <= 0) | (strike_ <= 0) | (price_ < 0))] = IVReason.NEGATIVE_INPUT
    sign = np.where(calls, 1.0, -1.0)
    sqrt_t = np.sqrt(np.where(reason == 0, years_, 1.0))
    x = log_moneyness(spot_, strike_, years_, rate_ - div_)
    # beta: the undiscounted price in units of sqrt(F K). Dividing by the very scale the pricer
    # multiplies by keeps round trips within an ulp where intrinsic value dominates.
    beta = price_ / forward_scale(spot_, strike_, years_, rate_, div_)
    beta_otm = beta - np.maximum(sign * 2.0 * np.sinh(0.5 * x), 0.0)
    # A price a few ulps under intrinsic is intrinsic rounded, not an arbitrage.
    beta_otm = np.where((beta_otm < 0) & (beta_otm > -4.0 * DBL_EPSILON * beta), 0.0, beta_otm)
    x_otm = -np.abs(x)
    ok = reason == 0
    reason[ok & (beta_otm < 0)] = IVReason.BELOW_INTRINSIC
    reason[ok & (beta_otm == 0)] = IVReason.NO_TIME_VALUE
    reason[ok & (beta_otm >= np.exp(0.5 * x_otm))] = IVReason.ABOVE_UPPER_BOUND
    ok = reason == 0
    iv = np.full(price_.shape, np.nan)
    if ok.all():
        iv = normalised_implied_vol(beta_otm, x_otm) / sqrt_t
    elif ok.any():
        idx = np.flatnonzero(ok)
        iv[idx] = normalised_implied_vol(beta_otm[idx], x_otm[idx]) / sqrt_t[idx]
    lost = ok & ~(np.isfinite(iv) & (iv > 0))
    reason[lost] = IVReason.NOT_CONVERGED
    iv[reason != 0] = np.nan
    return _Solved(shape, iv, reason, inputs, x, sqrt_t, sign)


def implied_volatility(
    price: ArrayLike,
    spot: ArrayLike,
    strike: ArrayLike,
    years: ArrayLike,
    rate: ArrayLike,
    dividend_yield: ArrayLike,
    is_call: ArrayLike,
) -> ImpliedVolResult:
    """Return the Black-Scholes-Merton implied volatility of each option price, with a reason each.

    Arguments broadcast together with the units of bsm_price. A bad element gets NaN and its
    IVReason; its neighbours are unaffected; nothing raises or warns for bad values.
    """
    shape, inputs, calls = broadcast_flat(price, spot, strike, years, rate, dividend_yield, is_call=is_call)
    kernel = chain_kernel(calls.size)
    if kernel is not None:
        iv, reason, _ = kernel.solve_chain(*inputs, calls, False)
        return ImpliedVolResult(iv.reshape(shape), reason.reshape(shape))
    with np.errstate(all="ignore"):
        solved = _solve(shape, inputs, calls)
    return ImpliedVolResult(solved.iv.reshape(solved.shape), solved.reason.reshape(solved.shape))


def implied_vol_and_greeks(
    price: ArrayLike,
    spot: ArrayLike,
    strike: ArrayLike,
    years: ArrayLike,
    rate: ArrayLike,
    dividend_yield: ArrayLike,
    is_call: ArrayLike,
) -> tuple[ImpliedVolResult, Greeks]:
    """Return implied volatilities and the greeks at them in one pass (NaN greeks where iv is NaN)."""
    shape, inputs, calls = broadcast_flat(price, spot, strike, years, rate, dividend_yield, is_call=is_call)
    kernel = chain_kernel(calls.size)
    if kernel is not None:
        iv, reason, matrix = kernel.solve_chain(*inputs, calls, True)
        fields = (row.reshape(shape) for row in matrix)
        return ImpliedVolResult(iv.reshape(shape), reason.reshape(shape)), Greeks(*fields)
    with np.errstate(all="ignore"):
        solved = _solve(shape, inputs, calls)
        price_, spot_, strike_, years_, rate_, div_ = solved.inputs
        bad = solved.reason != 0
        vol = np.where(bad, 1.0, solved.iv)
        # The price at the solved volatility is the given price (to the ulp), so it is not recomputed.
        greeks = greeks_flat(
            spot_, strike_, years_, rate_, div_, vol, solved.x, solved.sqrt_t, solved.sign, price_.copy()
        )

        any_bad = bool(bad.any())

        def fix(a: FloatArray) -> FloatArray:
            return (np.where(bad, np.nan, a) if any_bad else a).reshape(solved.shape)

        greeks = Greeks(*(fix(getattr(greeks, f)) for f in Greeks.__dataclass_fields__))
    return ImpliedVolResult(solved.iv.reshape(solved.shape), solved.reason.reshape(solved.shape)), greeks
