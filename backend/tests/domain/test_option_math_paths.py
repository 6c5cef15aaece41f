"""Short arrays take the whole-array path, long ones the gather path: both give the same bits."""

import numpy as np
import pytest

from backend.domain.option_math import bsm_price, implied_vol_and_greeks, implied_volatility
from backend.domain.option_math._normalised_black import (
    ETA,
    TAU,
    WHOLE_ARRAY_MAX,
    normalised_black_and_vega,
)
from backend.tests.domain.option_chains import Chain, create_chain

CHUNK = 50
FIELDS = ("price", "delta", "gamma", "vega", "theta", "rho")


def create_wide_chain(n: int, seed: int) -> Chain:
    """Draw a chain far wider than the usual one, so every region and guess branch is taken."""
    base = create_chain(n, seed=seed)
    rng = np.random.default_rng(seed)
    strike = base.spot * np.exp(rng.uniform(-6.0, 6.0, n))
    years = np.exp(rng.uniform(np.log(1e-4), np.log(10.0), n))
    vol = np.exp(rng.uniform(np.log(0.005), np.log(4.0), n))
    price = bsm_price(base.spot, strike, years, base.rate, base.dividend, vol, base.is_call)
    # Sprinkle bad elements: NaN, non-positive time, negative spot, below intrinsic, above the bound.
    price[::97] = np.nan
    years[5::89] = 0.0
    spot = base.spot.copy()
    spot[7::83] = -1.0
    price[11::79] = 0.0
    price[13::71] = spot[13::71] * 2.0
    return Chain(spot, strike, years, base.rate, base.dividend, vol, base.is_call, price)


@pytest.fixture(scope="module")
def wide_chain() -> Chain:
    return create_wide_chain(6_000, seed=20240612)


def create_black_grid(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Draw (x, s) with h = x / s in [-10.3, 0]: the asymptotic region is the thin band h < -10."""
    rng = np.random.default_rng(seed)
    s = np.exp(rng.uniform(-12.0, 2.5, n))
    return rng.uniform(-10.3, 0.0, n) * s, s


def test_the_black_grid_reaches_every_region_of_the_normalised_black_price() -> None:
    x, s = create_black_grid(4_000, seed=1)
    h, t = x / s, 0.5 * s
    asymptotic = (h < ETA) & (t < TAU + h - ETA)
    small_t = ~asymptotic & (t < TAU)
    assert asymptotic.sum() > 30
    assert small_t.sum() > 100
    assert (~asymptotic & ~small_t & (h + t > 0.85)).sum() > 100
    assert (~asymptotic & ~small_t & (h + t <= 0.85)).sum() > 100


def test_normalised_black_and_vega_give_the_same_bits_on_short_and_long_arrays() -> None:
    x, s = create_black_grid(4_000, seed=1)
    x[::50] = 0.0
    s[3::40] = 0.0
    with np.errstate(all="ignore"):
        whole_b, whole_v = normalised_black_and_vega(x, s)
        parts = [
            normalised_black_and_vega(x[i : i + CHUNK], s[i : i + CHUNK]) for i in range(0, x.size, CHUNK)
        ]
    assert x.size > WHOLE_ARRAY_MAX >= CHUNK
    np.testing.assert_array_equal(np.concatenate([b for b, _ in parts]), whole_b)
    np.testing.assert_array_equal(np.concatenate([v for _, v in parts]), whole_v)


def test_a_chain_solved_in_short_pieces_gives_the_bits_and_reasons_of_one_long_call(
    wide_chain: Chain,
) -> None:
    c = wide_chain
    args = (c.price, c.spot, c.strike, c.years, c.rate, c.dividend, c.is_call)
    whole, whole_greeks = implied_vol_and_greeks(*args)
    pieces = [
        implied_vol_and_greeks(*(a[i : i + CHUNK] for a in args)) for i in range(0, c.price.size, CHUNK)
    ]
    assert np.unique(whole.reason).size >= 6
    assert (whole.reason == 0).sum() > 1_500
    np.testing.assert_array_equal(np.concatenate([r.reason for r, _ in pieces]), whole.reason)
    np.testing.assert_array_equal(np.concatenate([r.iv for r, _ in pieces]), whole.iv)
    for field in FIELDS:
        short = np.concatenate([getattr(g, field) for _, g in pieces])
        np.testing.assert_array_equal(short, getattr(whole_greeks, field), err_msg=field)


def test_a_single_option_solves_to_the_bits_it_gets_inside_a_long_chain(wide_chain: Chain) -> None:
    c = wide_chain
    args = (c.price, c.spot, c.strike, c.years, c.rate, c.dividend, c.is_call)
    whole = implied_volatility(*args)
    for i in range(0, c.price.size, 37):
        alone = implied_volatility(*(a[i] for a in args))
        assert alone.reason == whole.reason[i]
        np.testing.assert_array_equal(alone.iv, whole.iv[i])


def test_greeks_from_the_solver_do_not_alias_the_caller_price() -> None:
    c = create_chain(20, seed=2)
    _, greeks = implied_vol_and_greeks(c.price, c.spot, c.strike, c.years, c.rate, c.dividend, c.is_call)
    greeks.price[0] = -1.0
    assert c.price[0] > 0
