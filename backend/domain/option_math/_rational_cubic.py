"""Shape-preserving rational cubic interpolation (Delbourgo and Gregory, 1985) on arrays.

Vectorised from Jaeckel's "Let's Be Rational", whose notice reads: "Copyright (c) 2013-2014 Peter
Jaeckel. Permission to use, copy, modify, and distribute this software is freely granted, provided
that this notice is preserved."
"""

import numpy as np

from backend.domain.option_math._arrays import BoolArray, FloatArray

DBL_EPSILON = float(np.finfo(np.float64).eps)
DBL_MIN = float(np.finfo(np.float64).tiny)
DBL_MAX = float(np.finfo(np.float64).max)
MIN_CONTROL = -(1.0 - np.sqrt(DBL_EPSILON))
MAX_CONTROL = 2.0 / (DBL_EPSILON * DBL_EPSILON)  # at or above this the interpolant is linear


def _control_from(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """Divide numerator by denominator the way the control parameter fits need near zero."""
    tiny_den = np.abs(denominator) < DBL_MIN
    r = numerator / np.where(tiny_den, 1.0, denominator)
    r = np.where(tiny_den, np.where(numerator > 0, MAX_CONTROL, MIN_CONTROL), r)
    return np.where(np.abs(numerator) < DBL_MIN, 0.0, r)


def _minimum_control(d_l: FloatArray, d_r: FloatArray, s: FloatArray, prefer_shape: BoolArray) -> FloatArray:
    """Return the smallest control parameter that keeps monotonicity and convexity."""
    monotonic = (d_l * s >= 0) & (d_r * s >= 0)
    convex = (d_l <= s) & (s <= d_r)
    concave = (d_l >= s) & (s >= d_r)
    fallback = np.where(prefer_shape, MAX_CONTROL, -DBL_MAX)
    s_ok = np.abs(s) >= DBL_MIN
    r1 = np.where(monotonic, np.where(s_ok, (d_r + d_l) / np.where(s_ok, s, 1.0), fallback), -DBL_MAX)
    d_r_m_d_l = d_r - d_l
    d_r_m_s = d_r - s
    s_m_d_l = s - d_l
    # A difference under DBL_MIN (or NaN) has no usable ratio: the fit falls back instead.
    fit_ok = (np.abs(d_r_m_s) >= DBL_MIN) & (np.abs(s_m_d_l) >= DBL_MIN)
    shaped = convex | concave
    r2_fit = np.fmax(np.abs(d_r_m_d_l / d_r_m_s), np.abs(d_r_m_d_l / s_m_d_l))
    r2_fit = np.where(fit_ok, r2_fit, fallback)
    r2 = np.where(shaped, r2_fit, np.where(monotonic & prefer_shape, MAX_CONTROL, -DBL_MAX))
    r = np.maximum(MIN_CONTROL, np.maximum(r1, r2))
    result: FloatArray = np.where(monotonic | shaped, r, MIN_CONTROL)
    return result


def convex_control(
    x_l: FloatArray,
    x_r: FloatArray,
    y_l: FloatArray,
    y_r: FloatArray,
    d_l: FloatArray,
    d_r: FloatArray,
    second: FloatArray,
    on_right: BoolArray,
    prefer_shape: BoolArray,
) -> FloatArray:
    """Fit the control parameter to a second derivative on the right or left end, keeping the shape."""
    h = x_r - x_l
    slope = (y_r - y_l) / h
    r = _control_from(0.5 * h * second + (d_r - d_l), np.where(on_right, d_r - slope, slope - d_l))
    return np.maximum(r, _minimum_control(d_l, d_r, slope, prefer_shape))


def interpolate(
    x: FloatArray,
    x_l: FloatArray,
    x_r: FloatArray,
    y_l: FloatArray,
    y_r: FloatArray,
    d_l: FloatArray,
    d_r: FloatArray,
    r: FloatArray,
) -> FloatArray:
    """Evaluate the rational cubic through (x_l, y_l, d_l) and (x_r, y_r, d_r) at x."""
    h = x_r - x_l
    flat = np.abs(h) <= 0
    t = (x - x_l) / np.where(flat, 1.0, h)
    omt = 1.0 - t
    t2 = t * t
    omt2 = omt * omt
    cubic = (
        y_r * t2 * t + (r * y_r - h * d_r) * t2 * omt + (r * y_l + h * d_l) * t * omt2 + y_l * omt2 * omt
    ) / (1.0 + (r - 3.0) * t * omt)
    out = np.where(r >= MAX_CONTROL, y_r * t + y_l * omt, cubic)
    return np.where(flat, 0.5 * (y_l + y_r), out)
