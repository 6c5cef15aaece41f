"""Array aliases and input broadcasting shared by the option maths."""

from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ArrayLike = npt.ArrayLike


def as_is_call(is_call: ArrayLike) -> BoolArray:
    """Return a bool array from bools or from "C"/"P" letters (case-insensitive)."""
    arr: np.ndarray[Any, Any] = np.asarray(is_call)
    if arr.dtype.kind in "USO":
        return np.char.upper(arr.astype(str)) == "C"  # type: ignore[no-any-return]
    return arr.astype(bool)


def broadcast_flat(
    *values: ArrayLike, is_call: ArrayLike
) -> tuple[tuple[int, ...], list[FloatArray], BoolArray]:
    """Broadcast the inputs together; return the shape, flat float64 arrays and a flat is_call."""
    arrays = [np.asarray(v, dtype=np.float64) for v in values]
    calls = as_is_call(is_call)
    shape = np.broadcast_shapes(*(a.shape for a in arrays), calls.shape)
    # broadcast_to costs microseconds a call; inputs already of the full shape skip it.
    flat = [a.ravel() if a.shape == shape else np.broadcast_to(a, shape).ravel() for a in arrays]
    return shape, flat, calls.ravel() if calls.shape == shape else np.broadcast_to(calls, shape).ravel()
