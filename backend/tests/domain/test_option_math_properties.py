"""Properties of the option maths that hold for any sensible inputs (hypothesis)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.domain.option_math import IVReason, bsm_greeks, bsm_price, implied_volatility

spots = st.floats(1.0, 1_000.0)
moneyness = st.floats(0.3, 3.0)
years = st.floats(1.0 / 365.0, 5.0)
rates = st.floats(-0.02, 0.15)
dividends = st.floats(0.0, 0.08)
vols = st.floats(0.01, 3.0)


@settings(max_examples=300, deadline=None)
@given(spots, moneyness, years, rates, dividends, vols)
def test_put_call_parity_holds(spot: float, m: float, t: float, r: float, q: float, vol: float) -> None:
    strike = spot * m
    call, put = bsm_price(spot, strike, t, r, q, vol, [True, False])
    forward_gap = spot * np.exp(-q * t) - strike * np.exp(-r * t)
    assert abs((call - put) - forward_gap) <= 1e-12 * max(spot, strike)


@settings(max_examples=300, deadline=None)
@given(spots, moneyness, years, rates, dividends, vols)
def test_prices_and_greeks_stay_within_their_bounds(
    spot: float, m: float, t: float, r: float, q: float, vol: float
) -> None:
    strike = spot * m
    g = bsm_greeks(spot, strike, t, r, q, vol, [True, False])
    q_disc, r_disc = np.exp(-q * t), np.exp(-r * t)
    slack = 1e-12 * max(spot, strike)
    assert 0.0 <= g.delta[0] <= q_disc
    assert -q_disc <= g.delta[1] <= 0.0
    assert (g.gamma >= 0).all()
    assert (g.vega >= 0).all()
    assert max(spot * q_disc - strike * r_disc, 0.0) - slack <= g.price[0] <= spot * q_disc + slack
    assert max(strike * r_disc - spot * q_disc, 0.0) - slack <= g.price[1] <= strike * r_disc + slack


@settings(max_examples=300, deadline=None)
@given(spots, moneyness, years, rates, dividends, vols, st.booleans())
def test_a_solved_volatility_recovers_the_true_one(
    spot: float, m: float, t: float, r: float, q: float, vol: float, is_call: bool
) -> None:
    strike = spot * m
    price = bsm_price(spot, strike, t, r, q, vol, is_call)
    result = implied_volatility(price, spot, strike, t, r, q, is_call)
    forward_gap = spot * np.exp(-q * t) - strike * np.exp(-r * t)
    intrinsic = max(forward_gap if is_call else -forward_gap, 0.0)
    well_posed = price - intrinsic > 1e-6 * spot
    if result.reason == IVReason.OK and well_posed:
        # Within 1e-12 of the truth, or as close as a few ulps of the price can pin sigma down.
        vega_per_unit = bsm_greeks(spot, strike, t, r, q, vol, is_call).vega * 100.0
        error = abs(result.iv - vol)
        assert error <= 1e-12 * vol or error * vega_per_unit <= 4.0 * np.spacing(price)
    elif result.reason == IVReason.OK:
        # With (almost) no time value the price cannot pin sigma down (vega can underflow to a
        # denormal); the accuracy bar is for well-posed inputs, here it must just be sane.
        assert np.isfinite(result.iv)
        assert result.iv > 0
    else:
        # Only a price with no time value left in double precision may fail to invert.
        assert result.reason == IVReason.NO_TIME_VALUE
        assert np.isnan(result.iv)
