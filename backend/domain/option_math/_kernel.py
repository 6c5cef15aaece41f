"""Choose how the option maths runs: the compiled numba kernel, or the numpy reference path.

GREEKDESK_OPTION_MATH_KERNEL=numpy selects numpy; otherwise the kernel runs on chains of up to
KERNEL_MAX_SIZE options whenever numba imports. Both give the same bits (the kernel calls numpy's own
elementary loops), so the choice is about speed alone. The kernel is loaded on first use: numba's
import and its on-disk cache cost about a second once, a first compilation about 15 seconds.
"""

import os
from types import ModuleType
from typing import Literal

Kernel = Literal["numba", "numpy"]
ENV_VAR = "GREEKDESK_OPTION_MATH_KERNEL"
# Measured crossover: the kernel's ~0.9 us an option beats numpy's per-call overhead up to a few
# thousand options; from about 10k options numpy's whole-array loops are as fast or faster.
KERNEL_MAX_SIZE = 5_000

_chosen: Kernel | None = None
_loaded: ModuleType | None = None


def _load() -> ModuleType | None:
    """Import the compiled chain kernel, or return None when numba is not importable."""
    try:
        from backend.domain.option_math import _chain_kernel
    except ImportError:
        return None
    return _chain_kernel


def set_kernel(kernel: Kernel | None) -> None:
    """Select the kernel for later calls; None goes back to the environment's choice."""
    global _chosen, _loaded
    _chosen = kernel
    _loaded = None


def chain_kernel(size: int = 0) -> ModuleType | None:
    """Return the compiled chain kernel module, or None when the numpy path is to run on size options."""
    global _chosen, _loaded
    if size > KERNEL_MAX_SIZE:
        return None
    if _loaded is not None:
        return _loaded
    if _chosen is None:
        _chosen = "numpy" if os.environ.get(ENV_VAR, "").strip().lower() == "numpy" else "numba"
    if _chosen == "numba":
        _loaded = _load()
        if _loaded is None:
            _chosen = "numpy"
    return _loaded


def active_kernel() -> Kernel:
    """Return which kernel the option maths runs on."""
    return "numba" if chain_kernel() is not None else "numpy"
