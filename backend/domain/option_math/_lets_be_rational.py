"""Normalised implied volatility on flat arrays: Jaeckel's rational guess plus Householder steps.

Vectorised from P. Jaeckel, "Let's Be Rational" (2013-2014), whose notice reads: "Copyright (c)
2013-2014 Peter Jaeckel. Permission to use, copy, modify, and distribute this software is freely
granted, provided that this notice is preserved." Every element runs the same fixed number of
whole-array iterations; the guess is close enough that two give full double precision.
"""

from math import pi, sqrt

import numpy as np
from scipy.special import ndtr, ndtri

from backend.domain.option_math import _rational_cubic as rc
from backend.domain.option_math._arrays import FloatArray
from backend.domain.option_math._normalised_black import normalised_black_call, normalised_vega

ITERATIONS = 2
SQRT_THREE = sqrt(3.0)
SQRT_ONE_OVER_THREE = 1.0 / sqrt(3.0)
TWO_PI = 2.0 * pi
TWO_PI_OVER_SQRT_27 = 2.0 * pi / sqrt(27.0)
PI_OVER_SIX = pi / 6.0
SQRT_PI_OVER_TWO = sqrt(pi / 2.0)
SQRT_DBL_MAX = sqrt(rc.DBL_MAX)

# Objective used by each element's Householder steps.
LOG_LOWER = 0  # g = 1/ln b - 1/ln beta, nearly linear for tiny prices
PLAIN = 1  # g = b - beta
LOG_UPPER = 2  # g = ln((b_max - beta) / (b_max - b)), for prices near the maximum


def _lower_map(x: FloatArray, s: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return f, f' and f'' of the lower transformation at s."""
    ax = np.abs(x)
    z = SQRT_ONE_OVER_THREE * ax / s
    y = z * z
    s2 = s * s
    big_phi = ndtr(-z)
    phi = np.exp(-0.5 * y) / sqrt(2.0 * pi)
    fpp = (
        PI_OVER_SIX
        * y
        / (s2 * s)
        * big_phi
        * (8.0 * SQRT_THREE * s * ax + (3.0 * s2 * (s2 - 8.0) - 8.0 * x * x) * big_phi / phi)
        * np.exp(2.0 * y + 0.25 * s2)
    )
    fp = TWO_PI * y * big_phi * big_phi * np.exp(y + 0.125 * s2)
    f = TWO_PI_OVER_SQRT_27 * ax * big_phi**3
    return f, fp, fpp


def _upper_map(x: FloatArray, s: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return f, f' and f'' of the upper transformation at s."""
    w = (x / s) ** 2
    f = ndtr(-0.5 * s)
    fp = -0.5 * np.exp(0.5 * w)
    fpp = SQRT_PI_OVER_TWO * np.exp(w + 0.125 * s * s) * w / s
    return f, fp, fpp


def _guess_lower(
    beta: FloatArray, x: FloatArray, s_c: FloatArray, b_c: FloatArray, v_c: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, np.ndarray]:
    """Guess s below the inflection point; return s, bracket and objective kind."""
    s_l = s_c - b_c / v_c
    b_l = normalised_black_call(x, s_l)
    lowest = beta < b_l
    zeros = np.zeros_like(x)
    ones = np.ones_like(x)
    f_l, fp_l, fpp_l = _lower_map(x, s_l)
    r_ll = rc.convex_control_right(zeros, b_l, zeros, f_l, ones, fp_l, fpp_l, True)
    f = rc.interpolate(beta, zeros, b_l, zeros, f_l, ones, fp_l, r_ll)
    t = beta / b_l
    f = np.where(f > 0, f, (f_l * t + b_l * (1.0 - t)) * t)  # quadratic fallback for |x| > ~500
    s_lowest = np.abs(x / (SQRT_THREE * ndtri(np.cbrt(f / (TWO_PI_OVER_SQRT_27 * np.abs(x))))))
    v_l = normalised_vega(x, s_l)
    r_lm = rc.convex_control_right(b_l, b_c, s_l, s_c, 1.0 / v_l, 1.0 / v_c, zeros, False)
    s_mid = rc.interpolate(beta, b_l, b_c, s_l, s_c, 1.0 / v_l, 1.0 / v_c, r_lm)
    s = np.where(lowest, s_lowest, s_mid)
    s_left = np.where(lowest, rc.DBL_MIN, s_l)
    s_right = np.where(lowest, s_l, s_c)
    return s, s_left, s_right, np.where(lowest, LOG_LOWER, PLAIN).astype(np.int8)


def _guess_upper(
    beta: FloatArray, x: FloatArray, b_max: FloatArray, s_c: FloatArray, b_c: FloatArray, v_c: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, np.ndarray]:
    """Guess s above the inflection point; return s, bracket and objective kind."""
    s_h = np.where(v_c > rc.DBL_MIN, s_c + (b_max - b_c) / v_c, s_c)
    b_h = normalised_black_call(x, s_h)
    middle = beta <= b_h
    v_h = normalised_vega(x, s_h)
    zeros = np.zeros_like(x)
    r_hm = rc.convex_control_left(b_c, b_h, s_c, s_h, 1.0 / v_c, 1.0 / v_h, zeros, False)
    s_mid = rc.interpolate(beta, b_c, b_h, s_c, s_h, 1.0 / v_c, 1.0 / v_h, r_hm)
    f_h, fp_h, fpp_h = _upper_map(x, s_h)
    half = np.full_like(x, -0.5)
    r_hh = rc.convex_control_left(b_h, b_max, f_h, zeros, fp_h, half, fpp_h, True)
    f = rc.interpolate(beta, b_h, b_max, f_h, zeros, fp_h, half, r_hh)
    f = np.where(np.abs(fpp_h) < SQRT_DBL_MAX, f, -1.0)
    width = b_max - b_h
    t = (beta - b_h) / width
    f = np.where(f > 0, f, (f_h * (1.0 - t) + 0.5 * width * t) * (1.0 - t))  # quadratic fallback
    s_high = -2.0 * ndtri(f)
    s = np.where(middle, s_mid, s_high)
    s_left = np.where(middle, s_c, s_h)
    s_right = np.where(middle, s_h, rc.DBL_MAX)
    kind = np.where(middle | (beta <= 0.5 * b_max), PLAIN, LOG_UPPER).astype(np.int8)
    return s, s_left, s_right, kind


def _householder_step(
    beta: FloatArray, x: FloatArray, b_max: FloatArray, s: FloatArray, kind: np.ndarray
) -> tuple[FloatArray, FloatArray]:
    """Return the third-order Householder step for each element's objective, and b(s)."""
    b = normalised_black_call(x, s)
    bp = normalised_vega(x, s)
    x_over_s2 = x / (s * s)
    b_halley = x_over_s2 * x / s - 0.25 * s
    b_hh3 = b_halley * b_halley - 3.0 * x_over_s2 * x_over_s2 - 0.25
    newton = (beta - b) / bp
    halley = b_halley
    hh3 = b_hh3
    lower = kind == LOG_LOWER
    if lower.any():
        ln_b = np.log(b)
        ln_beta = np.log(beta)
        bpob = bp / b
        two_over = 1.0 + 2.0 / ln_b
        newton = np.where(lower, (ln_beta - ln_b) * ln_b / ln_beta / bpob, newton)
        halley = np.where(lower, b_halley - bpob * two_over, halley)
        hh3_lower = (
            b_hh3
            + 2.0 * bpob * bpob * (1.0 + 3.0 / ln_b * (1.0 + 1.0 / ln_b))
            - 3.0 * b_halley * bpob * two_over
        )
        hh3 = np.where(lower, hh3_lower, hh3)
    upper = kind == LOG_UPPER
    if upper.any():
        room = b_max - b
        gp = bp / room
        newton = np.where(upper, -np.log((b_max - beta) / room) / gp, newton)
        halley = np.where(upper, b_halley + gp, halley)
        hh3 = np.where(upper, b_hh3 + gp * (2.0 * gp + 3.0 * b_halley), hh3)
    ds = newton * (1.0 + 0.5 * halley * newton) / (1.0 + newton * (halley + hh3 * newton / 6.0))
    return ds, b


def normalised_implied_vol(beta: FloatArray, x: FloatArray) -> FloatArray:
    """Return s = sigma sqrt(T) with b(x, s) = beta, for x <= 0 and 0 < beta < e^(x/2)."""
    b_max = np.exp(0.5 * x)
    s_c = np.sqrt(-2.0 * x)
    b_c = normalised_black_call(x, s_c)
    v_c = normalised_vega(x, s_c)
    s = np.empty_like(x)
    s_left = np.empty_like(x)
    s_right = np.empty_like(x)
    kind = np.empty(x.shape, dtype=np.int8)
    below = beta < b_c
    for mask, is_lower in ((below, True), (~below, False)):
        if not mask.any():
            continue
        idx = slice(None) if mask.all() else np.flatnonzero(mask)
        if is_lower:
            guess = _guess_lower(beta[idx], x[idx], s_c[idx], b_c[idx], v_c[idx])
        else:
            guess = _guess_upper(beta[idx], x[idx], b_max[idx], s_c[idx], b_c[idx], v_c[idx])
        s[idx], s_left[idx], s_right[idx], kind[idx] = guess
    for _ in range(ITERATIONS):
        ds, b = _householder_step(beta, x, b_max, s, kind)
        s_right = np.where((b > beta) & (s < s_right), s, s_right)
        s_left = np.where((b < beta) & (s > s_left), s, s_left)
        ds = np.where(np.isfinite(ds), ds, 0.5 * (s_left + s_right) - s)  # underflow: bisect instead
        s_next = s + np.maximum(-0.5 * s, ds)
        outside = ~((s_next >= s_left) & (s_next <= s_right)) & (s_right < rc.DBL_MAX)
        s = np.where(outside, 0.5 * (s_left + s_right), s_next)
    return s
