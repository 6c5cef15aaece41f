"""Option maths: Black-Scholes-Merton prices, greeks and implied volatility, vectorised over chains.

Pure numpy/scipy, no I/O. Every function broadcasts its array-like arguments together (scalars
allowed) and answers per element: a bad element gives NaN (and, for implied volatility, an
IVReason) without disturbing its neighbours or raising.
"""

from typing import Literal

from backend.domain.option_math._kernel import active_kernel
from backend.domain.option_math.implied_vol import (
    ImpliedVolResult,
    IVReason,
    implied_vol_and_greeks,
    implied_volatility,
)
from backend.domain.option_math.pricing import DAYS_PER_YEAR, Greeks, bsm_greeks, bsm_price

Right = Literal["C", "P"]

__all__ = [
    "DAYS_PER_YEAR",
    "Greeks",
    "IVReason",
    "ImpliedVolResult",
    "Right",
    "active_kernel",
    "bsm_greeks",
    "bsm_price",
    "implied_vol_and_greeks",
    "implied_volatility",
]
