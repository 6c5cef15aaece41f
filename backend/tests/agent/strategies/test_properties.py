"""Over seeded random chains, holdings and parameters, no candidate breaks a parameter or its own figures."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from backend.agent.strategies import (
    STRATEGIES,
    Candidate,
    ChainView,
    Holdings,
    StrategyParams,
    payoff_at_expiry,
    scan,
)
from backend.agent.strategies.selection import liquid, spread_pct
from backend.domain.instruments import Option, Side
from backend.tests.agent.strategies.chains import random_chain

D = Decimal
CREDIT = {"cash_secured_put", "covered_call", "wheel", "bull_put_spread", "bear_call_spread", "iron_condor"}
COVERED = {"covered_call", "protective_put", "collar"}


def random_params(rng: np.random.Generator) -> StrategyParams:
    low = D(str(round(float(rng.uniform(0.05, 0.3)), 2)))
    return StrategyParams(
        target_delta_min=low,
        target_delta_max=low + D(str(round(float(rng.uniform(0.05, 0.3)), 2))),
        min_dte=int(rng.integers(0, 20)),
        max_dte=int(rng.integers(20, 90)),
        min_credit=D(str(round(float(rng.uniform(0, 0.5)), 2))),
        min_credit_to_width=D(str(round(float(rng.uniform(0, 0.4)), 2))),
        max_spread_pct=D(str(round(float(rng.uniform(0.1, 0.8)), 2))),
        min_open_interest=int(rng.integers(0, 300)),
        min_volume=int(rng.integers(0, 30)),
        max_contracts=int(rng.integers(0, 20)) if rng.random() < 0.1 else int(rng.integers(1, 20)),
        max_risk_per_trade=D(int(rng.integers(0, 100_000))),
        wing_width=D(str(rng.choice(["1", "2.5", "5", "10"]))),
        edge=D(str(round(float(rng.uniform(0, 1)), 2))),
        tick=D(str(rng.choice(["0.01", "0.05"]))),
        combos_allowed=bool(rng.random() > 0.2),
    )


def random_holdings(rng: np.random.Generator, chain: ChainView) -> Holdings:
    options = [chain.option(row).key for row in chain.rows]
    held = frozenset(str(key) for key in rng.choice(options, size=3, replace=False))
    shares = D(int(rng.choice([0, 50, 100, 250, 1000])))
    return Holdings({chain.underlying: shares}, held, D(int(rng.integers(0, 200_000))), D(250_000))


def check(c: Candidate, chain: ChainView, holdings: Holdings, params: StrategyParams) -> None:
    assert params.min_dte <= chain.dte <= params.max_dte
    assert 1 <= c.quantity <= params.max_contracts
    # A single leg is on its class's tick at its price; a multi-leg order on pennies (never finer than params.tick).
    tick = max(params.tick, chain.ticks.tick(c.limit_price) if len(c.legs) == 1 else D("0.01"))
    assert c.limit_price % tick == 0
    rows = {(row.strike, row.right): row for row in chain.rows}
    raw = D(0)
    for leg in c.legs:
        option = leg.instrument
        assert isinstance(option, Option)
        assert option.key not in holdings.option_keys
        row = rows[(option.strike.value, option.right)]
        assert liquid(row, leg.side, params)
        assert row.bid is not None
        assert row.ask is not None
        raw += leg.side.sign * (row.bid + row.ask) / 2 + params.edge * (row.ask - row.bid) / 2
        if leg.side is Side.SELL:
            assert row.bid > 0
            assert params.target_delta_min <= abs(D(str(row.delta))) <= params.target_delta_max
        assert (spread_pct(row) or 0) <= params.max_spread_pct
    # Never better for us than mid minus the edge, and at most one tick worse.
    assert raw <= c.limit_price < raw + tick
    if len(c.legs) > 1:
        assert params.combos_allowed
    if c.strategy in CREDIT:
        assert -c.limit_price >= params.min_credit
        assert c.limit_price < 0
    assert c.max_loss is not None
    if c.strategy in COVERED or (c.strategy == "wheel" and c.covered is not None):
        assert c.quantity * chain.multiplier <= holdings.shares_of(chain.underlying)
        outlay = max(c.limit_price, D(0)) * chain.multiplier * c.quantity
        assert outlay <= params.max_risk_per_trade
        assert outlay <= holdings.buying_power
    else:
        assert c.max_loss <= params.max_risk_per_trade
        assert c.max_loss <= holdings.buying_power
    if c.strategy in {"cash_secured_put", "wheel"} and c.covered is None:
        strike = c.options[0].strike.value
        assert strike * chain.multiplier * c.quantity <= holdings.buying_power
    if c.strategy in {"bull_put_spread", "bear_call_spread"}:
        width = abs(c.options[0].strike.value - c.options[1].strike.value)
        assert -c.limit_price / width >= params.min_credit_to_width
    # The figures agree with the payoff on a dense grid around the strikes.
    grid = [D(str(x)).quantize(D("0.01")) for x in np.linspace(0, float(chain.spot) * 3, 601)]
    grid += [option.strike.value for option in c.options]
    payoffs = payoff_at_expiry(c, c.limit_price, c.quantity, grid)
    assert min(payoffs) >= -c.max_loss
    assert c.max_profit is None or max(payoffs) <= c.max_profit
    for point in payoff_at_expiry(c, c.limit_price, c.quantity, c.breakevens):
        assert abs(point) <= D("0.0001") * 2 * chain.multiplier * c.quantity
    assert 0.0 <= c.probability_of_profit <= 1.0
    assert c.rationale


@pytest.mark.parametrize("seed", range(12))
def test_no_candidate_breaks_a_parameter(seed: int) -> None:
    rng = np.random.default_rng(seed)
    found: set[str] = set()
    for _ in range(10):
        chain = random_chain(rng)
        holdings, params = random_holdings(rng, chain), random_params(rng)
        for c in scan([chain], holdings, params, STRATEGIES):
            check(c, chain, holdings, params)
            found.add(c.strategy)
    assert found, "a seed that finds nothing tests nothing"


def test_the_random_chains_reach_every_strategy() -> None:
    rng = np.random.default_rng(2026)
    found: set[str] = set()
    for _ in range(40):
        chain = random_chain(rng)
        holdings, params = random_holdings(rng, chain), random_params(rng)
        found |= {c.strategy for c in scan([chain], holdings, params, STRATEGIES)}
    assert found == set(STRATEGIES)
