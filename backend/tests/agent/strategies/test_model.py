"""The model figures against independent calculations; payoffs, ranking, the chain converter and scan."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from scipy import integrate, stats

from backend.agent.strategies import (
    STRATEGIES,
    Candidate,
    Strategy,
    bull_put_spread,
    cash_secured_put,
    chain_view,
    covered_call,
    iron_condor,
    payoff_at_expiry,
    rank,
    scan,
)
from backend.domain.instruments import OptionRight
from backend.domain.values import InvalidValue
from backend.market.schemas import ChainRead, OptionQuoteRead
from backend.tests.agent.strategies.chains import TODAY, create_chain, create_holdings, create_params

D = Decimal
CHAIN = create_chain()
T, R, Q, S = CHAIN.years, CHAIN.rate, CHAIN.dividend_yield, float(CHAIN.spot)


def prob_above(price: float, sigma: float) -> float:
    d2 = (math.log(S / price) + (R - Q - sigma**2 / 2) * T) / (sigma * math.sqrt(T))
    return float(stats.norm.cdf(d2))


def expected_by_quadrature(candidate: Candidate, sigma: float) -> float:
    dist = stats.lognorm(s=sigma * math.sqrt(T), scale=S * math.exp((R - Q - sigma**2 / 2) * T))

    def payoff(x: float) -> float:
        return float(payoff_at_expiry(candidate, candidate.limit_price, candidate.quantity, [D(repr(x))])[0])

    kinks = sorted(float(option.strike.value) for option in candidate.options)
    value, _ = integrate.quad(lambda x: payoff(x) * dist.pdf(x), 0, S * 5, points=kinks, limit=200)
    return float(value)


def test_cash_secured_put_pop_is_the_chance_of_ending_above_its_breakeven() -> None:
    put = cash_secured_put.find(CHAIN, create_holdings(), create_params())[1]
    assert put.probability_of_profit == pytest.approx(prob_above(93.58, 0.25), abs=1e-9)


def test_iron_condor_pop_uses_the_mean_iv_of_its_legs() -> None:
    condor = iron_condor.find(CHAIN, create_holdings(), create_params())[1]
    sigma = (0.27 + 0.25 + 0.22 + 0.21) / 4
    expected = prob_above(93.39, sigma) - prob_above(106.61, sigma)
    assert condor.probability_of_profit == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("find", "index", "sigma", "shares"),
    [
        (cash_secured_put.find, 1, 0.25, 0),
        (bull_put_spread.find, 0, 0.26, 0),
        (iron_condor.find, 1, (0.27 + 0.25 + 0.22 + 0.21) / 4, 0),
        (covered_call.find, 0, 0.22, 200),
    ],
)
def test_expected_value_matches_numeric_integration(
    find: Strategy, index: int, sigma: float, shares: int
) -> None:
    candidate = find(CHAIN, create_holdings(shares=shares), create_params())[index]
    assert float(candidate.expected_value) == pytest.approx(
        expected_by_quadrature(candidate, sigma), abs=0.02
    )


def test_payoff_at_expiry_of_a_bull_put_spread() -> None:
    (spread,) = bull_put_spread.find(CHAIN, create_holdings(), create_params())
    prices = [D(80), D(90), D(92), D("94.17"), D(95), D(120)]
    assert payoff_at_expiry(spread, spread.limit_price, spread.quantity, prices) == [
        D(-4170),
        D(-4170),
        D(-2170),
        D(0),
        D(830),
        D(830),
    ]
    # Legs alone, at another price and size, for a what-if diagram.
    assert payoff_at_expiry(spread.legs, D("-1.00"), 1, [D(95), D(90)]) == [D(100), D(-400)]


def test_payoff_at_expiry_of_a_covered_call_counts_the_shares_held() -> None:
    (call,) = covered_call.find(CHAIN, create_holdings(shares=200), create_params())
    points = payoff_at_expiry(
        call, call.limit_price, call.quantity, [D(0), D("98.68"), D(100), D(105), D(130)]
    )
    assert points == [D(-19736), D(0), D(264), D(1264), D(1264)]
    assert call.max_loss is not None
    assert points[0] == -call.max_loss
    assert points[-1] == call.max_profit


def test_rank_orders_by_score_then_probability_then_name() -> None:
    base = cash_secured_put.find(CHAIN, create_holdings(), create_params())[0]
    low = replace(base, score=0.1, probability_of_profit=0.9)
    high = replace(base, score=0.5, probability_of_profit=0.5)
    tie_likely = replace(base, score=0.3, probability_of_profit=0.8)
    tie_b = replace(base, score=0.3, probability_of_profit=0.7, strategy="b")
    tie_a = replace(base, score=0.3, probability_of_profit=0.7, strategy="a")
    assert rank([low, tie_b, high, tie_a, tie_likely]) == [high, tie_likely, tie_a, tie_b, low]


def test_scan_runs_the_enabled_strategies_and_ranks_them() -> None:
    chains = [CHAIN, create_chain(underlying="ABC", trading_class="ABC")]
    found = scan(chains, create_holdings(), create_params(), ["cash_secured_put", "bull_put_spread"])
    assert len(found) == 6
    assert {c.underlying for c in found} == {"XYZ", "ABC"}
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    assert found[0].strategy == "bull_put_spread"
    assert set(STRATEGIES) == {
        "cash_secured_put",
        "covered_call",
        "wheel",
        "bull_put_spread",
        "bear_call_spread",
        "iron_condor",
        "protective_put",
        "collar",
    }
    with pytest.raises(InvalidValue, match="straddle"):
        scan(chains, create_holdings(), create_params(), ["straddle"])


def option_quote(strike: str, right: str, **values: object) -> OptionQuoteRead:
    fields: dict[str, object] = {
        "symbol": f"XYZ   260619{right}{int(D(strike) * 1000):08d}",
        "strike": D(strike),
        "right": right,
        "bid": D("1.40"),
        "ask": D("1.50"),
        "mid": D("1.45"),
        "last": None,
        "volume": D(12),
        "open_interest": D(340),
        "data_source": "simulated",
        "iv": 0.25,
        "iv_status": "ok",
        "delta": -0.24,
        "gamma": 0.03,
        "vega": 0.1,
        "theta": -0.02,
        "rho": -0.01,
        "underlying_price": D(100),
        "rate": D("0.04"),
        "dividend_yield": D("0.01"),
        "time_to_expiry_years": 0.0877,
    }
    return OptionQuoteRead.model_validate(fields | values)


def test_chain_view_converts_a_valued_chain() -> None:
    now = datetime(2026, 5, 18, 14, tzinfo=UTC)
    read = ChainRead(
        underlying="XYZ",
        expiry=CHAIN.expiry,
        multiplier=100,
        trading_class="XYZ",
        as_of=now,
        expires_at=now,
        underlying_price=D("100.05"),
        rate=D("0.04"),
        dividend_yield=D("0.01"),
        time_to_expiry_years=0.0877,
        options=[
            option_quote("95", "P"),
            option_quote("105", "C", bid=None, volume=None, open_interest=None, iv=None),
        ],
    )
    view = chain_view(read, TODAY)
    assert (view.spot, view.rate, view.dividend_yield, view.years, view.dte) == (
        D("100.05"),
        0.04,
        0.01,
        0.0877,
        32,
    )
    put, call = view.rows
    assert (put.strike, put.right, put.bid, put.ask, put.iv, put.delta) == (
        D(95),
        OptionRight.PUT,
        D("1.40"),
        D("1.50"),
        0.25,
        -0.24,
    )
    assert (put.open_interest, put.volume) == (340, 12)
    assert (call.right, call.bid, call.iv, call.open_interest, call.volume) == (
        OptionRight.CALL,
        None,
        None,
        0,
        0,
    )
    assert view.option(put).key == "XYZ   260619P00095000"
