"""Normalised Black call price b(x, s) and its vega on flat arrays, accurate in the far wings.

After P. Jaeckel, "Let's Be Rational" (2013-2014): b(x, s) = Phi(h + t) e^(x/2) - Phi(h - t) e^(-x/2)
with h = x / s and t = s / 2, evaluated for out-of-the-money calls (x <= 0) in four regions so that
no region subtracts two nearly equal numbers. The expansions below are Jaeckel's, whose notice reads:
"Copyright (c) 2013-2014 Peter Jaeckel. Permission to use, copy, modify, and distribute this software
is freely granted, provided that this notice is preserved."
"""

from collections.abc import Callable
from math import comb, pi, sqrt

import numpy as np
from scipy.special import erfcx, ndtr

from backend.domain.option_math._arrays import FloatArray

INV_SQRT_2PI = 1.0 / sqrt(2.0 * pi)
SQRT_2PI = sqrt(2.0 * pi)
INV_SQRT_2 = 1.0 / sqrt(2.0)
DBL_EPSILON = float(np.finfo(np.float64).eps)
# Region limits from the paper: the asymptotic expansion holds for h < ETA, the Taylor one for t < TAU.
ETA = -10.0
TAU = 2.0 * DBL_EPSILON ** (1.0 / 16.0)
# Up to this many elements a region is evaluated on the whole array and selected with a mask: a
# gather and scatter cost more than the arithmetic they save.
WHOLE_ARRAY_MAX = 256

Region = Callable[[FloatArray, FloatArray, FloatArray], FloatArray]


def _asymptotic_coefficients() -> FloatArray:
    """Return c[k, j] with A(h, t) = sum_k q^k sum_j c[k, j] e^j, zero above each row's degree k."""
    table = np.zeros((18, 18))
    for k in range(18):
        double_factorial = float(np.prod(np.arange(2 * k - 1, 0, -2, dtype=np.float64)))
        for j in range(k + 1):
            table[k, j] = (-1) ** k * 2.0 * double_factorial * comb(2 * k + 1, 2 * j + 1)
    return table


# Leading zeros in a row leave Horner's rule exact (0 * e + c == c), so the rows can run together.
_ASYMPTOTIC = _asymptotic_coefficients()
_ASYMPTOTIC_COLUMNS = [np.ascontiguousarray(c[:, None]) for c in _ASYMPTOTIC.T[::-1]]
_ASYMPTOTIC_ROWS = [row[: k + 1] for k, row in enumerate(_ASYMPTOTIC)]


def _horner(coefficients: FloatArray, z: FloatArray) -> FloatArray:
    """Evaluate a polynomial with ascending coefficients at z."""
    acc = np.full_like(z, coefficients[-1])
    for c in coefficients[-2::-1]:
        acc *= z
        acc += c
    return acc


# Taylor coefficients c_2, ..., c_12 of the small-t series: c_2k = (P(h^2) + a Q(h^2)) / divisor,
# nesting level j (the coefficient of h^(2 j)) in row j, one column per c_2k.
_TAYLOR_P = np.array(
    [
        [-1.0, -7.0, -57.0, -561.0, -6555.0, -89055.0],
        [0.0, -1.0, -18.0, -285.0, -4680.0, -82845.0],
        [0.0, 0.0, -1.0, -33.0, -840.0, -20370.0],
        [0.0, 0.0, 0.0, -1.0, -52.0, -1926.0],
        [0.0, 0.0, 0.0, 0.0, -1.0, -75.0],
        [0.0, 0.0, 0.0, 0.0, 0.0, -1.0],
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    ]
)[:, :, None]
_TAYLOR_Q = np.array(
    [
        [3.0, 15.0, 105.0, 945.0, 10395.0, 135135.0],
        [1.0, 10.0, 105.0, 1260.0, 17325.0, 270270.0],
        [0.0, 1.0, 21.0, 378.0, 6930.0, 135135.0],
        [0.0, 0.0, 1.0, 36.0, 990.0, 25740.0],
        [0.0, 0.0, 0.0, 1.0, 55.0, 2145.0],
        [0.0, 0.0, 0.0, 0.0, 1.0, 78.0],
        [0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
    ]
)[:, :, None]
_TAYLOR_DIVISOR = np.array([6.0, 120.0, 5040.0, 362880.0, 39916800.0, 6227020800.0])[:, None]


def _asymptotic_expansion(h: FloatArray, t: FloatArray, gauss: FloatArray) -> FloatArray:
    """Evaluate b for h << 0 by the 17th order expansion of A&S 26.2.12 (region 1)."""
    e = (t / h) ** 2
    r = (h + t) * (h - t)
    q = (h / r) ** 2
    rows: FloatArray | list[FloatArray]
    if h.size <= WHOLE_ARRAY_MAX:  # all 18 polynomials in e at once: fewer, wider numpy calls
        rows = np.zeros((18, h.size))
        for column in _ASYMPTOTIC_COLUMNS:
            rows *= e
            rows += column
    else:  # row by row: the padded table would double the arithmetic on long arrays
        rows = [_horner(c, e) for c in _ASYMPTOTIC_ROWS]
    acc = rows[-1].copy()
    for row in rows[-2::-1]:
        acc *= q
        acc += row
    return INV_SQRT_2PI * gauss * (t / r) * acc


def _taylor_coefficients(a: FloatArray, h2: FloatArray) -> list[FloatArray] | FloatArray:
    """Return c_2, ..., c_12 of the small-t series, each by Horner's rule in h^2."""
    if h2.size <= WHOLE_ARRAY_MAX:  # all six polynomials at once
        terms = _TAYLOR_Q * a
        terms += _TAYLOR_P
        rows: FloatArray = terms[-1]
        for level in terms[-2::-1]:
            rows *= h2
            rows += level
        rows /= _TAYLOR_DIVISOR
        return rows
    coefficients = []
    for k in range(_TAYLOR_P.shape[1]):
        degree = int(np.count_nonzero(_TAYLOR_Q[:, k, 0])) - 1
        acc = a * h2 + (_TAYLOR_P[degree - 1, k, 0] + _TAYLOR_Q[degree - 1, k, 0] * a)
        for j in range(degree - 2, -1, -1):
            acc *= h2
            acc += _TAYLOR_P[j, k, 0] + _TAYLOR_Q[j, k, 0] * a
        coefficients.append(acc / _TAYLOR_DIVISOR[k, 0])
    return coefficients


def _small_t_expansion(h: FloatArray, t: FloatArray, gauss: FloatArray) -> FloatArray:
    """Evaluate b for small t by the twelfth order Taylor series of Y(h+t) - Y(h-t) (region 2)."""
    a = 1.0 + h * (0.5 * SQRT_2PI) * erfcx(-INV_SQRT_2 * h)
    w = t * t
    rows = _taylor_coefficients(a, h * h)
    acc = rows[-1].copy()
    for row in rows[-2::-1]:
        acc *= w
        acc += row
    expansion = 2.0 * t * (a + w * acc)
    return INV_SQRT_2PI * gauss * expansion  # type: ignore[no-any-return]


def _by_cdf(h: FloatArray, t: FloatArray, gauss: FloatArray) -> FloatArray:
    """Evaluate b directly when the first term dominates (region 3)."""
    b_max = np.exp(h * t)
    return ndtr(h + t) * b_max - ndtr(h - t) / b_max  # type: ignore[no-any-return]


def _by_erfcx(h: FloatArray, t: FloatArray, gauss: FloatArray) -> FloatArray:
    """Evaluate b with one exponential and two scaled erfc (region 4)."""
    return (  # type: ignore[no-any-return]
        0.5 * gauss * (erfcx(-INV_SQRT_2 * (h + t)) - erfcx(-INV_SQRT_2 * (h - t)))
    )


def _fill(
    out: FloatArray, mask: np.ndarray, fn: Region, h: FloatArray, t: FloatArray, gauss: FloatArray
) -> None:
    """Write fn(h, t, gauss) into out where mask holds."""
    if out.size <= WHOLE_ARRAY_MAX:
        if mask.any():
            np.copyto(out, fn(h, t, gauss), where=mask)
        return
    count = np.count_nonzero(mask)
    if count == mask.size:
        out[...] = fn(h, t, gauss)
    elif count:
        idx = np.flatnonzero(mask)
        out[idx] = fn(h[idx], t[idx], gauss[idx])


def normalised_black_and_vega(x: FloatArray, s: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Return b(x, s) and db/ds for out-of-the-money calls (x <= 0, s >= 0), flat arrays."""
    live = s > 0
    all_live = bool(live.all())
    safe_s = s if all_live else np.where(live, s, 1.0)
    h = x / safe_s
    t = 0.5 * safe_s
    gauss = np.exp(-0.5 * (h * h + t * t))
    # db/ds = phi(h + t) e^(x/2) = phi(h) phi(t) sqrt(2 pi); at s = 0 it is phi(0) for x = 0, else 0.
    vega = INV_SQRT_2PI * gauss
    out = np.zeros_like(x)
    asymptotic = (h < ETA) & (t < TAU + h - ETA)
    small_t = ~asymptotic & (t < TAU)
    by_cdf = ~asymptotic & ~small_t & (h + t > 0.85)
    by_erfcx = ~asymptotic & ~small_t & ~by_cdf
    if not all_live:
        vega = np.where(live, vega, np.where(x == 0, INV_SQRT_2PI, 0.0))
        asymptotic &= live
        small_t &= live
        by_cdf &= live
        by_erfcx &= live
    _fill(out, asymptotic, _asymptotic_expansion, h, t, gauss)
    _fill(out, small_t, _small_t_expansion, h, t, gauss)
    _fill(out, by_cdf, _by_cdf, h, t, gauss)
    _fill(out, by_erfcx, _by_erfcx, h, t, gauss)
    np.maximum(out, 0.0, out=out)
    return out, vega


def normalised_black_call(x: FloatArray, s: FloatArray) -> FloatArray:
    """Return b(x, s) for out-of-the-money calls (x <= 0, s >= 0), flat arrays."""
    return normalised_black_and_vega(x, s)[0]
