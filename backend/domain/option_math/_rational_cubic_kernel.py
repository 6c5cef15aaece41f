"""Shape-preserving rational cubic interpolation (Delbourgo and Gregory, 1985) on scalars, numba.

The scalar twin of _rational_cubic, after Jaeckel's "Let's Be Rational", whose notice reads:
"Copyright (c) 2013-2014 Peter Jaeckel. Permission to use, copy, modify, and distribute this software
is freely granted, provided that this notice is preserved."
"""

from backend.domain.option_math import _rational_cubic
from backend.domain.option_math._jit import fmax, jit, maximum

DBL_MAX = _rational_cubic.DBL_MAX
DBL_MIN = _rational_cubic.DBL_MIN
MAX_CONTROL = _rational_cubic.MAX_CONTROL
MIN_CONTROL = float(_rational_cubic.MIN_CONTROL)


@jit
def _control_from(numerator: float, denominator: float) -> float:
    """Divide numerator by denominator the way the control parameter fits need near zero."""
    if abs(numerator) < DBL_MIN:
        return 0.0
    if abs(denominator) < DBL_MIN:
        return MAX_CONTROL if numerator > 0 else MIN_CONTROL
    return numerator / denominator


@jit
def _minimum_control(d_l: float, d_r: float, s: float, prefer_shape: bool) -> float:
    """Return the smallest control parameter that keeps monotonicity and convexity."""
    monotonic = d_l * s >= 0 and d_r * s >= 0
    convex = d_l <= s and s <= d_r
    concave = d_l >= s and s >= d_r
    shaped = convex or concave
    if not (monotonic or shaped):
        return MIN_CONTROL
    fallback = MAX_CONTROL if prefer_shape else -DBL_MAX
    r1 = -DBL_MAX
    if monotonic:
        r1 = (d_r + d_l) / s if abs(s) >= DBL_MIN else fallback
    if shaped:
        d_r_m_d_l = d_r - d_l
        d_r_m_s = d_r - s
        s_m_d_l = s - d_l
        # A difference under DBL_MIN (or NaN) has no usable ratio: the fit falls back instead.
        if abs(d_r_m_s) >= DBL_MIN and abs(s_m_d_l) >= DBL_MIN:
            r2 = fmax(abs(d_r_m_d_l / d_r_m_s), abs(d_r_m_d_l / s_m_d_l))
        else:
            r2 = fallback
    else:
        r2 = MAX_CONTROL if monotonic and prefer_shape else -DBL_MAX
    return maximum(MIN_CONTROL, maximum(r1, r2))


@jit
def convex_control(
    x_l: float,
    x_r: float,
    y_l: float,
    y_r: float,
    d_l: float,
    d_r: float,
    second: float,
    on_right: bool,
    prefer_shape: bool,
) -> float:
    """Fit the control parameter to a second derivative on the right or left end, keeping the shape."""
    h = x_r - x_l
    slope = (y_r - y_l) / h
    r = _control_from(0.5 * h * second + (d_r - d_l), d_r - slope if on_right else slope - d_l)
    return maximum(r, _minimum_control(d_l, d_r, slope, prefer_shape))


@jit
def interpolate(
    x: float, x_l: float, x_r: float, y_l: float, y_r: float, d_l: float, d_r: float, r: float
) -> float:
    """Evaluate the rational cubic through (x_l, y_l, d_l) and (x_r, y_r, d_r) at x."""
    h = x_r - x_l
    if abs(h) <= 0:
        return 0.5 * (y_l + y_r)
    t = (x - x_l) / h
    omt = 1.0 - t
    if r >= MAX_CONTROL:
        return y_r * t + y_l * omt
    t2 = t * t
    omt2 = omt * omt
    return (
        y_r * t2 * t + (r * y_r - h * d_r) * t2 * omt + (r * y_l + h * d_l) * t * omt2 + y_l * omt2 * omt
    ) / (1.0 + (r - 3.0) * t * omt)
