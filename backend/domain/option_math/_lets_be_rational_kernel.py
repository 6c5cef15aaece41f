"""Normalised implied volatility of one option, compiled with numba: Jaeckel's guess plus Householder.

The scalar twin of _lets_be_rational (same guess, same two iterations, same order of operations),
after P. Jaeckel, "Let's Be Rational" (2013-2014), whose notice reads: "Copyright (c) 2013-2014 Peter
Jaeckel. Permission to use, copy, modify, and distribute this software is freely granted, provided
that this notice is preserved."
"""

import math

from backend.domain.option_math import _rational_cubic_kernel as rc
from backend.domain.option_math._jit import cbrt, exp, jit, log, maximum, ndtr, ndtri, power
from backend.domain.option_math._lets_be_rational import (
    ITERATIONS,
    LOG_LOWER,
    LOG_UPPER,
    PI_OVER_SIX,
    PLAIN,
    SQRT_DBL_MAX,
    SQRT_ONE_OVER_THREE,
    SQRT_PI_OVER_TWO,
    SQRT_THREE,
    TWO_PI,
    TWO_PI_OVER_SQRT_27,
)
from backend.domain.option_math._normalised_black_kernel import normalised_black_and_vega
from backend.domain.option_math._rational_cubic import DBL_MAX, DBL_MIN

SQRT_2PI = math.sqrt(2.0 * math.pi)


@jit
def _lower_map(x: float, s: float) -> tuple[float, float, float]:
    """Return f, f' and f'' of the lower transformation at s."""
    ax = abs(x)
    z = SQRT_ONE_OVER_THREE * ax / s
    y = z * z
    s2 = s * s
    big_phi = ndtr(-z)
    phi = exp(-0.5 * y) / SQRT_2PI
    fpp = (
        PI_OVER_SIX
        * y
        / (s2 * s)
        * big_phi
        * (8.0 * SQRT_THREE * s * ax + (3.0 * s2 * (s2 - 8.0) - 8.0 * x * x) * big_phi / phi)
        * exp(2.0 * y + 0.25 * s2)
    )
    fp = TWO_PI * y * big_phi * big_phi * exp(y + 0.125 * s2)
    f = TWO_PI_OVER_SQRT_27 * ax * power(big_phi, 3.0)
    return f, fp, fpp


@jit
def _upper_map(x: float, s: float) -> tuple[float, float, float]:
    """Return f, f' and f'' of the upper transformation at s."""
    w = (x / s) * (x / s)
    f = ndtr(-0.5 * s)
    fp = -0.5 * exp(0.5 * w)
    fpp = SQRT_PI_OVER_TWO * exp(w + 0.125 * s * s) * w / s
    return f, fp, fpp


@jit
def _initial_guess(beta: float, x: float, b_max: float) -> tuple[float, float, float, int]:
    """Return Jaeckel's initial s, its bracket and the objective kind (see _lets_be_rational)."""
    s_c = math.sqrt(-2.0 * x)
    b_c, v_c = normalised_black_and_vega(x, s_c)
    below = beta < b_c
    s_high = s_c + (b_max - b_c) / v_c if v_c > DBL_MIN else s_c
    s_2 = s_c - b_c / v_c if below else s_high
    b_2, v_2 = normalised_black_and_vega(x, s_2)
    lowest = below and beta < b_2
    highest = not below and not (beta <= b_2)
    if lowest:  # outer quarter below: interpolate the lower map f(b) between 0 and b_l
        f_l, fp_l, fpp_l = _lower_map(x, s_2)
        r = rc.convex_control(0.0, b_2, 0.0, f_l, 1.0, fp_l, fpp_l, below, True)
        s = rc.interpolate(beta, 0.0, b_2, 0.0, f_l, 1.0, fp_l, r)
        t = beta / b_2
        f = s if s > 0 else (f_l * t + b_2 * (1.0 - t)) * t  # quadratic fallback for |x| > ~500
        s = abs(x / (SQRT_THREE * ndtri(cbrt(f / (TWO_PI_OVER_SQRT_27 * abs(x))))))
        return s, DBL_MIN, s_2, LOG_LOWER
    if highest:  # outer quarter above: interpolate the upper map f(b) between b_h and b_max
        f_h, fp_h, fpp_h = _upper_map(x, s_2)
        r = rc.convex_control(b_2, b_max, f_h, 0.0, fp_h, -0.5, fpp_h, below, True)
        s = rc.interpolate(beta, b_2, b_max, f_h, 0.0, fp_h, -0.5, r)
        f = s if abs(fpp_h) < SQRT_DBL_MAX else -1.0
        width = b_max - b_2
        t = (beta - b_2) / width
        f = f if f > 0 else (f_h * (1.0 - t) + 0.5 * width * t) * (1.0 - t)  # quadratic fallback
        kind = PLAIN if beta <= 0.5 * b_max else LOG_UPPER
        return -2.0 * ndtri(f), s_2, DBL_MAX, kind
    # Middle quarters interpolate s(b) between s_2 and s_c, in the order of their b.
    if below:
        r = rc.convex_control(b_2, b_c, s_2, s_c, 1.0 / v_2, 1.0 / v_c, 0.0, below, False)
        return rc.interpolate(beta, b_2, b_c, s_2, s_c, 1.0 / v_2, 1.0 / v_c, r), s_2, s_c, PLAIN
    r = rc.convex_control(b_c, b_2, s_c, s_2, 1.0 / v_c, 1.0 / v_2, 0.0, below, False)
    return rc.interpolate(beta, b_c, b_2, s_c, s_2, 1.0 / v_c, 1.0 / v_2, r), s_c, s_2, PLAIN


@jit
def _householder_step(beta: float, x: float, b_max: float, s: float, kind: int) -> tuple[float, float]:
    """Return the third-order Householder step for the option's objective, and b(s)."""
    b, bp = normalised_black_and_vega(x, s)
    x_over_s2 = x / (s * s)
    b_halley = x_over_s2 * x / s - 0.25 * s
    b_hh3 = b_halley * b_halley - 3.0 * x_over_s2 * x_over_s2 - 0.25
    if kind == LOG_LOWER:
        ln_b = log(b)
        ln_beta = log(beta)
        bpob = bp / b
        two_over = 1.0 + 2.0 / ln_b
        newton = (ln_beta - ln_b) * ln_b / ln_beta / bpob
        halley = b_halley - bpob * two_over
        hh3 = (
            b_hh3
            + 2.0 * bpob * bpob * (1.0 + 3.0 / ln_b * (1.0 + 1.0 / ln_b))
            - 3.0 * b_halley * bpob * two_over
        )
    elif kind == LOG_UPPER:
        room = b_max - b
        gp = bp / room
        newton = -log((b_max - beta) / room) / gp
        halley = b_halley + gp
        hh3 = b_hh3 + gp * (2.0 * gp + 3.0 * b_halley)
    else:
        newton = (beta - b) / bp
        halley = b_halley
        hh3 = b_hh3
    ds = newton * (1.0 + 0.5 * halley * newton) / (1.0 + newton * (halley + hh3 * newton / 6.0))
    return ds, b


@jit
def normalised_implied_vol(beta: float, x: float) -> float:
    """Return s = sigma sqrt(T) with b(x, s) = beta, for x <= 0 and 0 < beta < e^(x/2)."""
    b_max = exp(0.5 * x)
    s, s_left, s_right, kind = _initial_guess(beta, x, b_max)
    for _ in range(ITERATIONS):
        ds, b = _householder_step(beta, x, b_max, s, kind)
        if b > beta and s < s_right:
            s_right = s
        if b < beta and s > s_left:
            s_left = s
        middle = 0.5 * (s_left + s_right)
        if not math.isfinite(ds):  # underflow: bisect instead
            ds = middle - s
        s_next = s + maximum(-0.5 * s, ds)
        inside = s_next >= s_left and s_next <= s_right
        s = s_next if inside or not (s_right < DBL_MAX) else middle
    return s
