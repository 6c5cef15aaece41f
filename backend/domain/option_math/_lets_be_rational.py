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
from backend.domain.option_math._normalised_black import normalised_black_and_vega

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


def _initial_guess(
    beta: FloatArray, x: FloatArray, b_max: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, np.ndarray]:
    """Return Jaeckel's initial s, its bracket and the objective kind of each element.

    The central point s_c splits the range at the inflection point; one more point (s_l below it,
    s_h above) splits each half again, and each element's quarter has its own rational cubic. All
    elements run one fit whose ends are picked per element, so no branch needs a gather.
    """
    s_c = np.sqrt(-2.0 * x)
    b_c, v_c = normalised_black_and_vega(x, s_c)
    below = beta < b_c
    s_l = s_c - b_c / v_c
    s_h = np.where(v_c > rc.DBL_MIN, s_c + (b_max - b_c) / v_c, s_c)
    s_2 = np.where(below, s_l, s_h)
    b_2, v_2 = normalised_black_and_vega(x, s_2)
    lowest = below & (beta < b_2)
    highest = ~below & ~(beta <= b_2)
    inv_v_c = 1.0 / v_c
    inv_v_2 = 1.0 / v_2
    # Middle quarters interpolate s(b) between s_2 and s_c, in the order of their b.
    x_l = np.where(below, b_2, b_c)
    x_r = np.where(below, b_c, b_2)
    y_l = np.where(below, s_2, s_c)
    y_r = np.where(below, s_c, s_2)
    d_l = np.where(below, inv_v_2, inv_v_c)
    d_r = np.where(below, inv_v_c, inv_v_2)
    second = np.zeros_like(x)
    any_lowest = bool(lowest.any())
    any_highest = bool(highest.any())
    if any_lowest:  # outer quarter below: interpolate the lower map f(b) between 0 and b_l
        f_l, fp_l, fpp_l = _lower_map(x, s_2)
        x_l = np.where(lowest, 0.0, x_l)
        x_r = np.where(lowest, b_2, x_r)
        y_l = np.where(lowest, 0.0, y_l)
        d_l = np.where(lowest, 1.0, d_l)
        y_r = np.where(lowest, f_l, y_r)
        d_r = np.where(lowest, fp_l, d_r)
        second = np.where(lowest, fpp_l, second)
    if any_highest:  # outer quarter above: interpolate the upper map f(b) between b_h and b_max
        f_h, fp_h, fpp_h = _upper_map(x, s_2)
        x_l = np.where(highest, b_2, x_l)
        x_r = np.where(highest, b_max, x_r)
        y_l = np.where(highest, f_h, y_l)
        y_r = np.where(highest, 0.0, y_r)
        d_l = np.where(highest, fp_h, d_l)
        d_r = np.where(highest, -0.5, d_r)
        second = np.where(highest, fpp_h, second)
    outer = lowest | highest
    r = rc.convex_control(x_l, x_r, y_l, y_r, d_l, d_r, second, below, outer)
    s = rc.interpolate(beta, x_l, x_r, y_l, y_r, d_l, d_r, r)
    if any_lowest:
        t = beta / b_2
        f = np.where(s > 0, s, (f_l * t + b_2 * (1.0 - t)) * t)  # quadratic fallback for |x| > ~500
        s_lowest = np.abs(x / (SQRT_THREE * ndtri(np.cbrt(f / (TWO_PI_OVER_SQRT_27 * np.abs(x))))))
        s = np.where(lowest, s_lowest, s)
    if any_highest:
        f = np.where(np.abs(fpp_h) < SQRT_DBL_MAX, s, -1.0)
        width = b_max - b_2
        t = (beta - b_2) / width
        f = np.where(f > 0, f, (f_h * (1.0 - t) + 0.5 * width * t) * (1.0 - t))  # quadratic fallback
        s = np.where(highest, -2.0 * ndtri(f), s)
    s_left = np.where(below, np.where(lowest, rc.DBL_MIN, s_2), np.where(highest, s_2, s_c))
    s_right = np.where(below, np.where(lowest, s_2, s_c), np.where(highest, rc.DBL_MAX, s_2))
    kind = np.where(lowest, LOG_LOWER, np.where(highest & ~(beta <= 0.5 * b_max), LOG_UPPER, PLAIN))
    return s, s_left, s_right, kind.astype(np.int8)


def _householder_step(
    beta: FloatArray,
    x: FloatArray,
    b_max: FloatArray,
    s: FloatArray,
    lower: np.ndarray | None,
    upper: np.ndarray | None,
) -> tuple[FloatArray, FloatArray]:
    """Return the third-order Householder step for each element's objective, and b(s)."""
    b, bp = normalised_black_and_vega(x, s)
    x_over_s2 = x / (s * s)
    b_halley = x_over_s2 * x / s - 0.25 * s
    b_hh3 = b_halley * b_halley - 3.0 * x_over_s2 * x_over_s2 - 0.25
    newton = (beta - b) / bp
    halley = b_halley
    hh3 = b_hh3
    if lower is not None:
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
    if upper is not None:
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
    s, s_left, s_right, kind = _initial_guess(beta, x, b_max)
    lower = kind == LOG_LOWER
    upper = kind == LOG_UPPER
    lower_or_none = lower if lower.any() else None
    upper_or_none = upper if upper.any() else None
    for _ in range(ITERATIONS):
        ds, b = _householder_step(beta, x, b_max, s, lower_or_none, upper_or_none)
        s_right = np.where((b > beta) & (s < s_right), s, s_right)
        s_left = np.where((b < beta) & (s > s_left), s, s_left)
        middle = 0.5 * (s_left + s_right)
        ds = np.where(np.isfinite(ds), ds, middle - s)  # underflow: bisect instead
        s_next = s + np.maximum(-0.5 * s, ds)
        inside = (s_next >= s_left) & (s_next <= s_right)
        s = np.where(inside | ~(s_right < rc.DBL_MAX), s_next, middle)
    return s
