"""Accuracy of the option maths: implied volatility round trips, greeks, and bad elements."""

import warnings

import numpy as np
import pytest

from backend.domain.option_math import (
    IVReason,
    bsm_greeks,
    bsm_price,
    implied_vol_and_greeks,
    implied_volatility,
)
from backend.tests.domain.option_chains import Chain, create_chain

ROUND_TRIP_SIZE = 100_000


@pytest.fixture(scope="module")
def chain_100k() -> Chain:
    return create_chain(ROUND_TRIP_SIZE, seed=20240611)


def test_round_trip_is_within_1e12_on_well_posed_out_of_the_money_options(chain_100k: Chain) -> None:
    c = chain_100k
    x = np.log(c.spot / c.strike) + (c.rate - c.dividend) * c.years
    otm = np.where(c.is_call, x <= 0, x >= 0) & c.well_posed()
    result = implied_volatility(c.price, c.spot, c.strike, c.years, c.rate, c.dividend, c.is_call)
    assert otm.sum() > 20_000
    assert (result.reason[otm] == IVReason.OK).all()
    assert np.max(np.abs(result.iv[otm] / c.vol[otm] - 1.0)) <= 1e-12


def test_round_trip_error_on_every_well_posed_option_is_within_1e12_or_explained_by_price_rounding(
    chain_100k: Chain,
) -> None:
    # Deep in the money a price that is 1e-6 time value and 1.0 intrinsic cannot carry 12 digits of
    # volatility: one ulp of the price moves sigma by ulp / vega. We allow 2 ulps of that, no more.
    c = chain_100k
    well_posed = c.well_posed()
    result = implied_volatility(c.price, c.spot, c.strike, c.years, c.rate, c.dividend, c.is_call)
    vega_per_unit = bsm_greeks(c.spot, c.strike, c.years, c.rate, c.dividend, c.vol, c.is_call).vega * 100.0
    error = np.abs(result.iv - c.vol)
    explained = error * vega_per_unit <= 2.0 * np.spacing(c.price)
    assert well_posed.sum() > 50_000
    assert (result.reason[well_posed] == IVReason.OK).all()
    assert ((error <= 1e-12 * c.vol) | explained)[well_posed].all()
    assert np.mean(error[well_posed] <= 1e-12 * c.vol[well_posed]) > 0.99


def test_round_trip_holds_at_the_edges_of_the_grid() -> None:
    vol = np.array([0.05, 2.0, 0.05, 2.0, 0.3, 0.3])
    years = np.array([1 / 365, 3.0, 3.0, 1 / 365, 1 / 365, 3.0])
    strike = np.array([100.0, 200.0, 95.0, 100.0, 101.0, 100.0])
    price = bsm_price(100.0, strike, years, 0.02, 0.01, vol, True)
    result = implied_volatility(price, 100.0, strike, years, 0.02, 0.01, True)
    np.testing.assert_allclose(result.iv, vol, rtol=1e-12)


def test_greeks_match_quantlib_to_1e9() -> None:
    ql = pytest.importorskip("QuantLib")
    rng = np.random.default_rng(11)
    today = ql.Date(15, 6, 2024)
    ql.Settings.instance().evaluationDate = today
    day_count = ql.Actual365Fixed()
    for _ in range(150):
        spot = float(rng.uniform(20, 300))
        strike = spot * float(np.exp(rng.uniform(-0.5, 0.5)))
        days = int(rng.integers(1, 3 * 365))
        rate, dividend = float(rng.uniform(-0.01, 0.1)), float(rng.uniform(0, 0.05))
        vol = float(rng.uniform(0.05, 1.5))
        is_call = bool(rng.random() < 0.5)
        process = ql.BlackScholesMertonProcess(
            ql.QuoteHandle(ql.SimpleQuote(spot)),
            ql.YieldTermStructureHandle(ql.FlatForward(today, dividend, day_count)),
            ql.YieldTermStructureHandle(ql.FlatForward(today, rate, day_count)),
            ql.BlackVolTermStructureHandle(ql.BlackConstantVol(today, ql.NullCalendar(), vol, day_count)),
        )
        option = ql.VanillaOption(
            ql.PlainVanillaPayoff(ql.Option.Call if is_call else ql.Option.Put, strike),
            ql.EuropeanExercise(today + days),
        )
        option.setPricingEngine(ql.AnalyticEuropeanEngine(process))
        ours = bsm_greeks(spot, strike, days / 365.0, rate, dividend, vol, is_call)
        expected = {
            "price": option.NPV(),
            "delta": option.delta(),
            "gamma": option.gamma(),
            "vega": option.vega() / 100.0,
            "theta": option.theta() / 365.0,
            "rho": option.rho() / 100.0,
        }
        for name, value in expected.items():
            # Tiny absolute floor: greeks that vanish deep in a wing have no relative digits to compare.
            np.testing.assert_allclose(getattr(ours, name), value, rtol=1e-9, atol=1e-13 * spot, err_msg=name)


def test_greeks_match_central_finite_differences() -> None:
    c = create_chain(400, seed=3)
    args = (c.spot, c.strike, c.years, c.rate, c.dividend, c.vol, c.is_call)
    g = bsm_greeks(*args)

    def bump(i: int, h: np.ndarray) -> np.ndarray:
        up = list(args)
        down = list(args)
        up[i] = up[i] + h
        down[i] = down[i] - h
        return (bsm_price(*up) - bsm_price(*down)) / (2.0 * h)

    ds = 1e-6 * c.spot
    dt = np.minimum(1e-6, 0.1 * c.years)

    def close(actual: np.ndarray, expected: np.ndarray, rtol: float) -> None:
        # Absolute floor of 1e-9 of spot: finite differences of tiny wing prices carry no digits.
        assert (np.abs(actual - expected) <= rtol * np.abs(expected) + 1e-9 * c.spot).all()

    close(g.delta, bump(0, ds), 1e-6)
    gamma_fd = (bsm_greeks(c.spot + ds, *args[1:]).delta - bsm_greeks(c.spot - ds, *args[1:]).delta) / (
        2 * ds
    )
    assert (np.abs(g.gamma - gamma_fd) <= 1e-5 * g.gamma + 1e-6 / c.spot).all()
    close(g.vega, bump(5, np.full(400, 1e-6)) / 100.0, 1e-6)
    close(g.theta, -bump(2, dt) / 365.0, 1e-5)
    close(g.rho, bump(3, np.full(400, 1e-7)) / 100.0, 1e-6)


def test_each_bad_element_gets_nan_and_its_reason_while_neighbours_stay_exact() -> None:
    good = (12.0, 100.0, 100.0, 0.5, 0.03, 0.01, True)
    rows = [
        (good, IVReason.OK),
        ((np.nan, 100.0, 100.0, 0.5, 0.03, 0.01, True), IVReason.NAN_INPUT),
        ((12.0, 100.0, np.inf, 0.5, 0.03, 0.01, True), IVReason.NAN_INPUT),
        ((12.0, 100.0, 100.0, 0.0, 0.03, 0.01, True), IVReason.NON_POSITIVE_TIME),
        ((12.0, 100.0, 100.0, -1.0, 0.03, 0.01, True), IVReason.NON_POSITIVE_TIME),
        ((12.0, -100.0, 100.0, 0.5, 0.03, 0.01, True), IVReason.NEGATIVE_INPUT),
        ((12.0, 100.0, 0.0, 0.5, 0.03, 0.01, True), IVReason.NEGATIVE_INPUT),
        ((-1.0, 100.0, 100.0, 0.5, 0.03, 0.01, True), IVReason.NEGATIVE_INPUT),
        ((15.0, 120.0, 100.0, 0.5, 0.03, 0.01, True), IVReason.BELOW_INTRINSIC),
        ((120.0, 120.0, 100.0, 0.5, 0.03, 0.01, True), IVReason.ABOVE_UPPER_BOUND),
        ((119.0, 100.0, 120.0, 0.5, 0.03, 0.01, False), IVReason.ABOVE_UPPER_BOUND),
        ((0.0, 100.0, 120.0, 0.5, 0.03, 0.01, True), IVReason.NO_TIME_VALUE),
        (good, IVReason.OK),
    ]
    columns = [np.array(col) for col in zip(*(row for row, _ in rows), strict=True)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = implied_volatility(*columns)
        _, greeks = implied_vol_and_greeks(*columns)
    alone = implied_volatility(*good).iv
    assert result.reason.tolist() == [int(reason) for _, reason in rows]
    assert np.isnan(result.iv[1:-1]).all()
    assert result.iv[0] == alone
    assert result.iv[-1] == alone
    assert np.isnan(greeks.delta[1:-1]).all()
    assert np.isfinite(greeks.delta[[0, -1]]).all()


def test_bad_pricing_inputs_give_nan_only_for_that_element() -> None:
    spot = np.array([100.0, np.nan, 100.0, 100.0, -5.0, 100.0, 100.0])
    years = np.array([0.5, 0.5, 0.0, 0.5, 0.5, 0.5, 0.5])
    vol = np.array([0.2, 0.2, 0.2, -0.2, 0.2, 0.2, 0.2])
    strike = np.array([100.0, 100.0, 100.0, 100.0, 100.0, -1.0, 100.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        price = bsm_price(spot, strike, years, 0.01, 0.0, vol, False)
        greeks = bsm_greeks(spot, strike, years, 0.01, 0.0, vol, False)
    expected_nan = [False, True, True, True, True, True, False]
    assert np.isnan(price).tolist() == expected_nan
    for field in (greeks.price, greeks.delta, greeks.gamma, greeks.vega, greeks.theta, greeks.rho):
        assert np.isnan(field).tolist() == expected_nan
    assert price[0] == price[-1] == bsm_price(100.0, 100.0, 0.5, 0.01, 0.0, 0.2, "P")


def test_implied_vol_and_greeks_matches_the_two_separate_calls() -> None:
    c = create_chain(2_000, seed=5)
    args = (c.price, c.spot, c.strike, c.years, c.rate, c.dividend, c.is_call)
    result, greeks = implied_vol_and_greeks(*args)
    alone = implied_volatility(*args)
    np.testing.assert_array_equal(result.iv, alone.iv)
    separate = bsm_greeks(c.spot, c.strike, c.years, c.rate, c.dividend, result.iv, c.is_call)
    for name in ("delta", "gamma", "vega", "theta", "rho"):
        np.testing.assert_allclose(getattr(greeks, name), getattr(separate, name), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(greeks.price, separate.price, rtol=1e-12, atol=1e-13 * float(c.spot.max()))


def test_inputs_broadcast_and_letters_select_calls_and_puts() -> None:
    price = bsm_price(100.0, [[90.0], [110.0]], [0.25, 1.0], 0.02, 0.0, 0.3, [["C"], ["P"]])
    assert price.shape == (2, 2)
    assert price[0, 1] == bsm_price(100.0, 90.0, 1.0, 0.02, 0.0, 0.3, True)
    assert price[1, 0] == bsm_price(100.0, 110.0, 0.25, 0.02, 0.0, 0.3, False)
    assert implied_volatility(
        price, 100.0, [[90.0], [110.0]], [0.25, 1.0], 0.02, 0.0, [["c"], ["p"]]
    ).iv.shape == (2, 2)
