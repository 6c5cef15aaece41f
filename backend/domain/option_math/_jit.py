"""The numba compiler settings of the scalar kernel, and the numpy and scipy functions it calls.

The kernel must give the numpy path's numbers, so it calls the very loops numpy and scipy run: numpy's
SIMD exp, log, sinh, cbrt and power differ from the C library's in the last bit for a few percent of
arguments, enough to flip "no time value" verdicts and to move far-wing greeks past 1e-14. Importing
this module raises ImportError when numba is absent or numpy's loops cannot be found; the caller then
falls back to numpy.
"""

import ctypes
from collections.abc import Callable
from typing import Any, TypeVar, cast

import llvmlite.binding as llvm
import numba
import numpy as np
from llvmlite import ir
from numba.core import cgutils as _cgutils
from numba.core import types
from numba.extending import get_cython_function_address, intrinsic

F = TypeVar("F", bound=Callable[..., Any])
# numba ships py.typed but leaves its code generation helpers unannotated.
cgutils: Any = _cgutils


def jit(fn: F) -> F:
    """Compile fn for the kernel: cached on disk, strict IEEE arithmetic, NaN where numpy gives NaN."""
    # error_model="numpy": x / 0 gives inf or NaN as in the numpy path instead of raising.
    compiled = numba.njit(cache=True, fastmath=False, nogil=True, error_model="numpy")(fn)
    return cast(F, compiled)


def _external(name: str, cython_name: str) -> Any:
    """Return scipy.special's compiled double function as a numba external function."""
    # The very functions the numpy path calls, so both paths agree to the bit; a symbol (not a ctypes
    # pointer) keeps the kernels cacheable: the cache stores the name, resolved again at each import.
    llvm.add_symbol(name, get_cython_function_address("scipy.special.cython_special", cython_name))
    # Cython's C-level functions take a trailing skip_dispatch flag.
    return types.ExternalFunction(name, types.float64(types.float64, types.intc))


class _UFuncHead(ctypes.Structure):
    """The leading fields of numpy's PyUFuncObject (numpy/ufuncobject.h, unchanged since numpy 1.0)."""

    _fields_ = [
        ("ob_refcnt", ctypes.c_ssize_t),
        ("ob_type", ctypes.c_void_p),
        ("nin", ctypes.c_int),
        ("nout", ctypes.c_int),
        ("nargs", ctypes.c_int),
        ("identity", ctypes.c_int),
        ("functions", ctypes.POINTER(ctypes.c_void_p)),
        ("data", ctypes.POINTER(ctypes.c_void_p)),
        ("ntypes", ctypes.c_int),
        ("reserved1", ctypes.c_int),
        ("name", ctypes.c_char_p),
    ]


def _ufunc_loop(ufunc: np.ufunc, signature: str) -> Any:
    """Return a numba intrinsic calling the float64 inner loop of a numpy ufunc on one element."""
    head = _UFuncHead.from_address(id(ufunc))
    index = ufunc.types.index(signature)  # numpy picks the first loop that matches
    if head.name != ufunc.__name__.encode() or head.ntypes != ufunc.ntypes or head.data[index]:
        raise ImportError(f"numpy's {ufunc.__name__} loop is not where this numpy version should keep it")
    symbol = f"greekdesk_numpy_{ufunc.__name__}"
    llvm.add_symbol(symbol, head.functions[index])
    nargs = ufunc.nin + 1

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        # loop(char **args, npy_intp *dimensions, npy_intp *steps, void *data) over one element.
        double, intp, byte_ptr = ir.DoubleType(), ir.IntType(64), ir.IntType(8).as_pointer()
        loop_type = ir.FunctionType(
            ir.VoidType(), [byte_ptr.as_pointer(), intp.as_pointer(), intp.as_pointer(), byte_ptr]
        )
        loop = cgutils.get_or_insert_function(builder.module, loop_type, symbol)
        pointers = cgutils.alloca_once(builder, byte_ptr, size=nargs)
        steps = cgutils.alloca_once(builder, intp, size=nargs)
        slots = [cgutils.alloca_once(builder, double) for _ in range(nargs)]
        for k in range(nargs):
            if k < len(args):
                builder.store(args[k], slots[k])
            builder.store(builder.bitcast(slots[k], byte_ptr), builder.gep(pointers, [ir.Constant(intp, k)]))
            builder.store(ir.Constant(intp, 8), builder.gep(steps, [ir.Constant(intp, k)]))
        count = cgutils.alloca_once_value(builder, ir.Constant(intp, 1))
        builder.call(loop, [pointers, count, steps, ir.Constant(byte_ptr, None)])
        return builder.load(slots[-1])

    if nargs == 2:

        def unary(typingctx: Any, x: Any) -> Any:
            return types.float64(types.float64), codegen

        return intrinsic(unary)

    def binary(typingctx: Any, x: Any, y: Any) -> Any:
        return types.float64(types.float64, types.float64), codegen

    return intrinsic(binary)


_exp = _ufunc_loop(np.exp, "d->d")
_log = _ufunc_loop(np.log, "d->d")
_sinh = _ufunc_loop(np.sinh, "d->d")
_cbrt = _ufunc_loop(np.cbrt, "d->d")
_power = _ufunc_loop(np.power, "dd->d")
_erfcx = _external("greekdesk_scipy_erfcx", "__pyx_fuse_1erfcx")
_ndtr = _external("greekdesk_scipy_ndtr", "__pyx_fuse_1ndtr")
_ndtri = _external("greekdesk_scipy_ndtri", "ndtri")


@jit
def exp(x: float) -> float:
    """Return e^x as np.exp does."""
    return _exp(x)  # type: ignore[no-any-return]


@jit
def log(x: float) -> float:
    """Return the natural logarithm as np.log does."""
    return _log(x)  # type: ignore[no-any-return]


@jit
def sinh(x: float) -> float:
    """Return the hyperbolic sine as np.sinh does."""
    return _sinh(x)  # type: ignore[no-any-return]


@jit
def cbrt(x: float) -> float:
    """Return the cube root as np.cbrt does."""
    return _cbrt(x)  # type: ignore[no-any-return]


@jit
def power(x: float, y: float) -> float:
    """Return x^y as np.power does."""
    return _power(x, y)  # type: ignore[no-any-return]


@jit
def erfcx(x: float) -> float:
    """Return the scaled complementary error function e^(x^2) erfc(x)."""
    return _erfcx(x, 0)  # type: ignore[no-any-return]


@jit
def ndtr(x: float) -> float:
    """Return the standard normal distribution function."""
    return _ndtr(x, 0)  # type: ignore[no-any-return]


@jit
def ndtri(p: float) -> float:
    """Return the inverse of the standard normal distribution function."""
    return _ndtri(p, 0)  # type: ignore[no-any-return]


@jit
def maximum(a: float, b: float) -> float:
    """Return the larger of a and b, NaN if either is NaN (np.maximum)."""
    if a != a or a >= b:
        return a
    return b


@jit
def fmax(a: float, b: float) -> float:
    """Return the larger of a and b, ignoring a NaN (np.fmax)."""
    if b != b or a >= b:
        return a
    return b
