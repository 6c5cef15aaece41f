"""Normalised Black call price b(x, s) and its vega for one option, compiled with numba.

The scalar twin of _normalised_black (same regions, same expansions, same order of operations), whose
Jaeckel notice applies: "Copyright (c) 2013-2014 Peter Jaeckel. Permission to use, copy, modify, and
distribute this software is freely granted, provided that this notice is preserved."
"""

import numpy as np

from backend.domain.option_math._jit import erfcx, exp, jit, maximum, ndtr
from backend.domain.option_math._normalised_black import (
    _ASYMPTOTIC,
    _TAYLOR_DIVISOR,
    _TAYLOR_P,
    _TAYLOR_Q,
    ETA,
    INV_SQRT_2,
    INV_SQRT_2PI,
    SQRT_2PI,
    TAU,
)

# The numpy tables, flattened to what the scalar loops index.
ASYMPTOTIC = np.ascontiguousarray(_ASYMPTOTIC)
TAYLOR_P = np.ascontiguousarray(_TAYLOR_P[:, :, 0])
TAYLOR_Q = np.ascontiguousarray(_TAYLOR_Q[:, :, 0])
TAYLOR_DIVISOR = np.ascontiguousarray(_TAYLOR_DIVISOR[:, 0])


@jit
def _asymptotic_expansion(h: float, t: float, gauss: float) -> float:
    """Evaluate b for h << 0 by the 17th order expansion of A&S 26.2.12 (region 1)."""
    e = (t / h) * (t / h)
    r = (h + t) * (h - t)
    q = (h / r) * (h / r)
    acc = 0.0
    for k in range(17, -1, -1):
        row = ASYMPTOTIC[k, k]
        for j in range(k - 1, -1, -1):
            row = row * e + ASYMPTOTIC[k, j]
        acc = row if k == 17 else acc * q + row
    return INV_SQRT_2PI * gauss * (t / r) * acc


@jit
def _small_t_expansion(h: float, t: float, gauss: float) -> float:
    """Evaluate b for small t by the twelfth order Taylor series of Y(h+t) - Y(h-t) (region 2)."""
    a = 1.0 + h * (0.5 * SQRT_2PI) * erfcx(-INV_SQRT_2 * h)
    w = t * t
    h2 = h * h
    acc = 0.0
    for k in range(5, -1, -1):
        degree = k + 1
        c = a * h2 + (TAYLOR_P[degree - 1, k] + TAYLOR_Q[degree - 1, k] * a)
        for j in range(degree - 2, -1, -1):
            c = c * h2 + (TAYLOR_P[j, k] + TAYLOR_Q[j, k] * a)
        c = c / TAYLOR_DIVISOR[k]
        acc = c if k == 5 else acc * w + c
    expansion = 2.0 * t * (a + w * acc)
    return INV_SQRT_2PI * gauss * expansion


@jit
def normalised_black_and_vega(x: float, s: float) -> tuple[float, float]:
    """Return b(x, s) and db/ds for an out-of-the-money call (x <= 0, s >= 0)."""
    if not s > 0:
        # At s = 0, db/ds is phi(0) for x = 0, else 0.
        return 0.0, INV_SQRT_2PI if x == 0 else 0.0
    h = x / s
    t = 0.5 * s
    gauss = exp(-0.5 * (h * h + t * t))
    vega = INV_SQRT_2PI * gauss
    if h < ETA and t < TAU + h - ETA:
        b = _asymptotic_expansion(h, t, gauss)
    elif t < TAU:
        b = _small_t_expansion(h, t, gauss)
    elif h + t > 0.85:
        b_max = exp(h * t)
        b = ndtr(h + t) * b_max - ndtr(h - t) / b_max
    else:
        b = 0.5 * gauss * (erfcx(-INV_SQRT_2 * (h + t)) - erfcx(-INV_SQRT_2 * (h - t)))
    return maximum(b, 0.0), vega
