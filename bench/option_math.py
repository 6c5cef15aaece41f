"""Benchmark implied volatility plus all greeks against py_vollib_vectorized and QuantLib.

Run: python bench/option_math.py [--smoke]. Single-threaded; each figure is the median of 3
interleaved runs, a run repeating a short chain's call until it has solved 5,000 options. QuantLib
runs per option on a subset and is extrapolated linearly (said so).
"""

import os

# Single thread everywhere, set before numpy (or numba, via py_vollib_vectorized) is imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend.domain.option_math import implied_vol_and_greeks  # noqa: E402
from backend.domain.option_math._kernel import KERNEL_MAX_SIZE, active_kernel  # noqa: E402
from backend.tests.domain.option_chains import Chain, create_chain  # noqa: E402

Solver = Callable[[Chain], np.ndarray]
FULL_SIZES = (50, 500, 10_000, 100_000)
SMOKE_SIZES = (50, 500)
QUANTLIB_SUBSET = 300
MIN_OPTIONS_PER_RUN = 5_000


def run_ours(c: Chain) -> np.ndarray:
    """Solve IV and all greeks with backend.domain.option_math."""
    result, _greeks = implied_vol_and_greeks(
        c.price, c.spot, c.strike, c.years, c.rate, c.dividend, c.is_call
    )
    return result.iv


def load_vollib() -> Solver | None:
    """Return a py_vollib_vectorized runner, or None when it is not importable."""
    try:
        import py_vollib_vectorized as pvv
    except ImportError:
        return None

    def run(c: Chain) -> np.ndarray:
        flag = np.where(c.is_call, "c", "p")
        iv = pvv.vectorized_implied_volatility(
            c.price, c.spot, c.strike, c.years, c.rate, flag, c.dividend,
            model="black_scholes_merton", return_as="numpy", on_error="ignore",
        )  # fmt: skip
        pvv.get_all_greeks(flag, c.spot, c.strike, c.years, c.rate, iv, c.dividend,
                           model="black_scholes_merton", return_as="dict")  # fmt: skip
        return np.asarray(iv, dtype=np.float64)

    return run


def load_quantlib() -> Solver | None:
    """Return a QuantLib per-option runner (ImpliedVolatility then greeks), or None."""
    try:
        import QuantLib as ql  # noqa: N813
    except ImportError:
        return None
    today = ql.Date(15, 6, 2024)
    ql.Settings.instance().evaluationDate = today
    dc = ql.Actual365Fixed()

    def one(spot: float, strike: float, t: float, r: float, q: float, call: bool, price: float) -> float:
        vol_quote = ql.SimpleQuote(0.2)
        process = ql.BlackScholesMertonProcess(
            ql.QuoteHandle(ql.SimpleQuote(spot)),
            ql.YieldTermStructureHandle(ql.FlatForward(0, ql.NullCalendar(), q, dc)),
            ql.YieldTermStructureHandle(ql.FlatForward(0, ql.NullCalendar(), r, dc)),
            ql.BlackVolTermStructureHandle(
                ql.BlackConstantVol(0, ql.NullCalendar(), ql.QuoteHandle(vol_quote), dc)
            ),
        )
        # Maturity in whole days can't hit arbitrary T; time shifts the curves' reference instead.
        days = max(1, round(t * 365.0))
        option = ql.VanillaOption(
            ql.PlainVanillaPayoff(ql.Option.Call if call else ql.Option.Put, strike),
            ql.EuropeanExercise(today + days),
        )
        option.setPricingEngine(ql.AnalyticEuropeanEngine(process))
        try:
            iv = float(option.impliedVolatility(price, process, 1e-12, 500, 1e-7, 10.0))
        except RuntimeError:
            return float("nan")
        vol_quote.setValue(iv)
        option.NPV(), option.delta(), option.gamma(), option.vega(), option.theta(), option.rho()
        return iv

    def run(c: Chain) -> np.ndarray:
        days = np.maximum(1, np.round(c.years * 365.0))
        return np.array(
            [
                one(float(c.spot[i]), float(c.strike[i]), days[i] / 365.0, float(c.rate[i]),
                    float(c.dividend[i]), bool(c.is_call[i]), float(c.price[i]))
                for i in range(c.spot.size)
            ]
        )  # fmt: skip

    return run


def whole_days(c: Chain) -> Chain:
    """Round maturities to whole days (QuantLib's dates) and reprice, so every peer sees one chain."""
    from backend.domain.option_math import bsm_price

    years = np.maximum(1.0, np.round(c.years * 365.0)) / 365.0
    price = bsm_price(c.spot, c.strike, years, c.rate, c.dividend, c.vol, c.is_call)
    return Chain(c.spot, c.strike, years, c.rate, c.dividend, c.vol, c.is_call, price)


def subset(c: Chain, n: int) -> Chain:
    """Return the first n options of a chain."""
    return Chain(*(getattr(c, f)[:n] for f in Chain.__dataclass_fields__))


def accuracy(c: Chain, iv: np.ndarray) -> tuple[float, float]:
    """Return max relative IV error and NaN rate over well-posed options."""
    ok = c.well_posed()
    err = np.abs(iv[ok] / c.vol[ok] - 1.0)
    return float(np.nanmax(err)) if np.isfinite(err).any() else float("nan"), float(np.isnan(iv[ok]).mean())


def main() -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds, peers optional")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    peers: dict[str, Solver | None] = {"py_vollib_vectorized": load_vollib(), "QuantLib": load_quantlib()}
    solvers: dict[str, Solver] = {"greekdesk": run_ours}
    for name, solver in peers.items():
        if solver is None:
            print(f"note: {name} is not importable; skipped")
        else:
            solvers[name] = solver
    sizes = SMOKE_SIZES if args.smoke else FULL_SIZES
    ql_subset = 20 if args.smoke else QUANTLIB_SUBSET
    for solver in solvers.values():  # warm up: numba loads (or compiles) its kernels on first call
        solver(subset(whole_days(create_chain(60, seed=1)), 20))
    kernel = active_kernel()
    print(f"note: greekdesk runs its numba kernel up to {KERNEL_MAX_SIZE:,} options, numpy above" if kernel == "numba"
          else "note: greekdesk runs numpy only (numba not importable, or GREEKDESK_OPTION_MATH_KERNEL=numpy)")  # fmt: skip
    print(f"{'library':<22}{'options':>9}{'opts/s':>13}{'us/50-chain':>13}{'max rel err':>13}"
          f"{'NaN rate':>10}{'greekdesk x':>13}")  # fmt: skip
    for n in sizes:
        chain = whole_days(create_chain(n, seed=n))
        timings: dict[str, list[float]] = {name: [] for name in solvers}
        ivs: dict[str, Any] = {}
        for _ in range(3):
            for name, solver in solvers.items():
                c = subset(chain, ql_subset) if name == "QuantLib" else chain
                # One call on a short chain lasts well under a millisecond: repeat it so a run is long
                # enough to time; QuantLib's per-option loop is long enough already.
                repeats = 1 if name == "QuantLib" else max(1, MIN_OPTIONS_PER_RUN // n)
                start = time.perf_counter()
                for _ in range(repeats):
                    ivs[name] = solver(c)
                timings[name].append((time.perf_counter() - start) / (repeats * c.spot.size))
        ours = statistics.median(timings["greekdesk"])
        for name in solvers:
            per_option = statistics.median(timings[name])
            c = subset(chain, ql_subset) if name == "QuantLib" else chain
            err, nan_rate = accuracy(c, ivs[name])
            label = name + ("*" if name == "QuantLib" and n > ql_subset else "")
            print(f"{label:<22}{n:>9}{1 / per_option:>13,.0f}{per_option * 50e6:>13.1f}{err:>13.2e}"
                  f"{nan_rate:>10.2%}{per_option / ours:>12.2f}x")  # fmt: skip
    if "QuantLib" in solvers:
        print(f"* QuantLib timed per option on the first {ql_subset} options, rate extrapolated linearly.")
    print("max rel err and NaN rate over well-posed options (time value > 1e-6 x spot).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
