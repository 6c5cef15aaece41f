"""The compiled numba kernel gives the numpy path's numbers and reasons; numpy takes over without it."""

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from backend.domain.option_math import bsm_greeks, bsm_price, implied_vol_and_greeks, implied_volatility
from backend.domain.option_math._kernel import (
    ENV_VAR,
    KERNEL_MAX_SIZE,
    Kernel,
    active_kernel,
    chain_kernel,
    set_kernel,
)
from backend.tests.domain.option_chains import Chain, create_chain
from backend.tests.domain.test_option_math_paths import create_wide_chain

pytest.importorskip("numba")

FIELDS = ("price", "delta", "gamma", "vega", "theta", "rho")
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def restore_kernel() -> Iterator[None]:
    yield
    set_kernel(None)


@pytest.fixture(scope="module")
def grids() -> dict[str, Chain]:
    return {
        "seeded 100k": create_chain(100_000, seed=20240611),
        "extreme": create_wide_chain(6_000, seed=20240612),
    }


def run_with(kernel: Kernel, fn: Callable[..., Any], *args: np.ndarray) -> list[Any]:
    """Call fn under one kernel: numpy on the whole chain, numba on pieces of KERNEL_MAX_SIZE options."""
    set_kernel(kernel)
    assert active_kernel() == kernel
    if kernel == "numpy":
        return [fn(*args)]
    n = args[0].size
    return [fn(*(a[i : i + KERNEL_MAX_SIZE] for a in args)) for i in range(0, n, KERNEL_MAX_SIZE)]


def assert_same(actual: np.ndarray, expected: np.ndarray, what: str) -> None:
    np.testing.assert_allclose(actual, expected, rtol=1e-14, atol=0.0, equal_nan=True, err_msg=what)


@pytest.mark.parametrize("grid", ["seeded 100k", "extreme"])
def test_kernel_iv_greeks_and_reasons_equal_the_numpy_path(grids: dict[str, Chain], grid: str) -> None:
    c = grids[grid]
    args = (c.price, c.spot, c.strike, c.years, c.rate, c.dividend, c.is_call)
    numpy_result, numpy_greeks = run_with("numpy", implied_vol_and_greeks, *args)[0]
    pieces = run_with("numba", implied_vol_and_greeks, *args)
    np.testing.assert_array_equal(np.concatenate([r.reason for r, _ in pieces]), numpy_result.reason)
    assert_same(np.concatenate([r.iv for r, _ in pieces]), numpy_result.iv, "iv")
    for field in FIELDS:
        assert_same(
            np.concatenate([getattr(g, field) for _, g in pieces]), getattr(numpy_greeks, field), field
        )
    alone = run_with("numba", implied_volatility, *args)
    np.testing.assert_array_equal(np.concatenate([r.reason for r in alone]), numpy_result.reason)
    assert_same(np.concatenate([r.iv for r in alone]), numpy_result.iv, "implied_volatility")
    assert np.unique(numpy_result.reason).size >= (6 if grid == "extreme" else 2)


@pytest.mark.parametrize("grid", ["seeded 100k", "extreme"])
def test_kernel_prices_and_greeks_equal_the_numpy_path(grids: dict[str, Chain], grid: str) -> None:
    c = grids[grid]
    vol = c.vol.copy()
    vol[3::101] = -0.2  # bad volatilities too
    args = (c.spot, c.strike, c.years, c.rate, c.dividend, vol, c.is_call)
    numpy_price = run_with("numpy", bsm_price, *args)[0]
    numpy_greeks = run_with("numpy", bsm_greeks, *args)[0]
    assert_same(np.concatenate(run_with("numba", bsm_price, *args)), numpy_price, "bsm_price")
    pieces = run_with("numba", bsm_greeks, *args)
    for field in FIELDS:
        assert_same(np.concatenate([getattr(g, field) for g in pieces]), getattr(numpy_greeks, field), field)
    assert np.isnan(numpy_price).any()


def test_kernel_broadcasts_scalars_and_letters_like_the_numpy_path() -> None:
    args = ([[9.0], [14.0]], 100.0, [[95.0], [110.0]], [0.25, 1.0], 0.02, 0.01, [["C"], ["p"]])
    set_kernel("numba")
    result, greeks = implied_vol_and_greeks(*args)
    single = implied_volatility(12.0, 100.0, 100.0, 0.5, 0.03, 0.01, True)
    set_kernel("numpy")
    expected, expected_greeks = implied_vol_and_greeks(*args)
    assert result.iv.shape == greeks.delta.shape == (2, 2)
    np.testing.assert_array_equal(result.iv, expected.iv)
    np.testing.assert_array_equal(greeks.theta, expected_greeks.theta)
    assert single.iv.shape == single.reason.shape == ()
    assert single.iv == implied_volatility(12.0, 100.0, 100.0, 0.5, 0.03, 0.01, True).iv


def test_chains_longer_than_the_crossover_run_on_numpy() -> None:
    set_kernel("numba")
    assert chain_kernel(KERNEL_MAX_SIZE) is not None
    assert chain_kernel(KERNEL_MAX_SIZE + 1) is None


def test_selecting_numpy_runs_the_numpy_path_with_the_same_answers() -> None:
    c = create_chain(300, seed=8)
    args = (c.price, c.spot, c.strike, c.years, c.rate, c.dividend, c.is_call)
    set_kernel("numpy")
    assert chain_kernel(10) is None
    result = implied_volatility(*args)
    set_kernel("numba")
    np.testing.assert_array_equal(implied_volatility(*args).iv, result.iv)


@pytest.mark.parametrize(
    ("prelude", "env"),
    [("", {ENV_VAR: "numpy"}), ("import sys; sys.modules['numba'] = None; ", {})],
    ids=["environment variable", "numba not importable"],
)
def test_the_numpy_path_runs_when_the_environment_asks_or_numba_is_missing(
    prelude: str, env: dict[str, str]
) -> None:
    code = (
        prelude + "from backend.domain.option_math import implied_volatility;"
        "from backend.domain.option_math._kernel import active_kernel;"
        "r = implied_volatility([12.0, float('nan')], 100.0, 100.0, 0.5, 0.03, 0.01, True);"
        "print(active_kernel(), r.reason.tolist(), r.iv[0] > 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["numpy", "[0,", "1]", "True"]
