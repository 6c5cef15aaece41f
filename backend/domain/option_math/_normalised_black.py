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


def _asymptotic_coefficients() -> list[FloatArray]:
    """Build the coefficients of A(h, t) = sum_k c_k(e) q^k, each c_k a polynomial in e."""
    coefficients = []
    for k in range(18):
        double_factorial = float(np.prod(np.arange(2 * k - 1, 0, -2, dtype=np.float64)))
        coefficients.append(
            np.array(
                [(-1) ** k * 2.0 * double_factorial * comb(2 * k + 1, 2 * j + 1) for j in range(k + 1)],
                dtype=np.float64,
            )
        )
    return coefficients


_ASYMPTOTIC = _asymptotic_coefficients()


def _horner(coefficients: FloatArray, z: FloatArray) -> FloatArray:
    """Evaluate a polynomial with ascending coefficients at z."""
    acc = np.full_like(z, coefficients[-1])
    for c in coefficients[-2::-1]:
        acc *= z
        acc += c
    return acc


def _asymptotic_expansion(h: FloatArray, t: FloatArray) -> FloatArray:
    """Evaluate b for h << 0 by the 17th order expansion of A&S 26.2.12 (region 1)."""
    e = (t / h) ** 2
    r = (h + t) * (h - t)
    q = (h / r) ** 2
    acc = _horner(_ASYMPTOTIC[-1], e)
    for coefficients in _ASYMPTOTIC[-2::-1]:
        acc *= q
        acc += _horner(coefficients, e)
    return INV_SQRT_2PI * np.exp(-0.5 * (h * h + t * t)) * (t / r) * acc


def _small_t_expansion(h: FloatArray, t: FloatArray) -> FloatArray:
    """Evaluate b for small t by the twelfth order Taylor series of Y(h+t) - Y(h-t) (region 2)."""
    a = 1.0 + h * (0.5 * SQRT_2PI) * erfcx(-INV_SQRT_2 * h)
    w = t * t
    h2 = h * h
    c12 = (
        -89055.0
        + 135135.0 * a
        + h2
        * (
            -82845.0
            + 270270.0 * a
            + h2
            * (
                -20370.0
                + 135135.0 * a
                + h2 * (-1926.0 + 25740.0 * a + h2 * (-75.0 + 2145.0 * a + h2 * (-1.0 + 78.0 * a + a * h2)))
            )
        )
    ) / 6227020800.0
    c10 = (
        -6555.0
        + 10395.0 * a
        + h2
        * (
            -4680.0
            + 17325.0 * a
            + h2 * (-840.0 + 6930.0 * a + h2 * (-52.0 + 990.0 * a + h2 * (-1.0 + 55.0 * a + a * h2)))
        )
    ) / 39916800.0
    c8 = (
        -561.0
        + 945.0 * a
        + h2 * (-285.0 + 1260.0 * a + h2 * (-33.0 + 378.0 * a + h2 * (-1.0 + 36.0 * a + a * h2)))
    ) / 362880.0
    c6 = (-57.0 + 105.0 * a + h2 * (-18.0 + 105.0 * a + h2 * (-1.0 + 21.0 * a + a * h2))) / 5040.0
    c4 = (-7.0 + 15.0 * a + h2 * (-1.0 + 10.0 * a + a * h2)) / 120.0
    c2 = (-1.0 + 3.0 * a + a * h2) / 6.0
    expansion = 2.0 * t * (a + w * (c2 + w * (c4 + w * (c6 + w * (c8 + w * (c10 + w * c12))))))
    result: FloatArray = INV_SQRT_2PI * np.exp(-0.5 * (h * h + t * t)) * expansion
    return result


def _by_cdf(h: FloatArray, t: FloatArray) -> FloatArray:
    """Evaluate b directly when the first term dominates (region 3)."""
    b_max = np.exp(h * t)
    return ndtr(h + t) * b_max - ndtr(h - t) / b_max  # type: ignore[no-any-return]


def _by_erfcx(h: FloatArray, t: FloatArray) -> FloatArray:
    """Evaluate b with one exponential and two scaled erfc (region 4)."""
    return (  # type: ignore[no-any-return]
        0.5 * np.exp(-0.5 * (h * h + t * t)) * (erfcx(-INV_SQRT_2 * (h + t)) - erfcx(-INV_SQRT_2 * (h - t)))
    )


def _fill(
    out: FloatArray,
    mask: np.ndarray,
    fn: Callable[[FloatArray, FloatArray], FloatArray],
    h: FloatArray,
    t: FloatArray,
) -> None:
    """Write fn(h, t) into out where mask holds, touching only those elements."""
    count = np.count_nonzero(mask)
    if count == mask.size:
        out[...] = fn(h, t)
    elif count:
        idx = np.flatnonzero(mask)
        out[idx] = fn(h[idx], t[idx])


def normalised_black_call(x: FloatArray, s: FloatArray) -> FloatArray:
    """Return b(x, s) for out-of-the-money calls (x <= 0, s >= 0), flat arrays."""
    out = np.zeros_like(x)
    live = s > 0
    safe_s = np.where(live, s, 1.0)
    h = x / safe_s
    t = 0.5 * safe_s
    asymptotic = live & (h < ETA) & (t < TAU + h - ETA)
    small_t = live & ~asymptotic & (t < TAU)
    rest = live & ~asymptotic & ~small_t
    by_cdf = rest & (h + t > 0.85)
    _fill(out, asymptotic, _asymptotic_expansion, h, t)
    _fill(out, small_t, _small_t_expansion, h, t)
    _fill(out, by_cdf, _by_cdf, h, t)
    _fill(out, rest & ~by_cdf, _by_erfcx, h, t)
    np.maximum(out, 0.0, out=out)
    return out


def normalised_vega(x: FloatArray, s: FloatArray) -> FloatArray:
    """Return db/ds = phi(h + t) e^(x/2) for s > 0 (0 at s = 0 unless x = 0)."""
    live = s > 0
    safe_s = np.where(live, s, 1.0)
    h = np.where(live, x / safe_s, np.where(x == 0, 0.0, -np.inf))
    return INV_SQRT_2PI * np.exp(-0.5 * (h * h + 0.25 * s * s))
