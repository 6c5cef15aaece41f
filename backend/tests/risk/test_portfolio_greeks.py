"""Portfolio delta, gamma, vega and per-underlying delta after the trade."""

import math
from decimal import Decimal
from typing import Any

from backend.risk.context import LegMarket, ProposedTrade
from backend.risk.rules.portfolio_greeks import PortfolioGreeksRule
from backend.tests.risk.factories import context, greeks, held, leg, option, quote, roomy_limits, stock, trade

RULE = PortfolioGreeksRule()
CALL = option(500)


def call_leg(side: str = "BUY", **g: float) -> LegMarket:
    return leg(CALL, side, market=quote(CALL, greek=greeks(**g)))


def codes(t: ProposedTrade, **kw: Any) -> list[str]:
    return [d.code for d in RULE.check(context(t, **kw))]


def test_delta_at_the_limit_passes_and_past_it_denies() -> None:
    t = trade(call_leg(delta=0.5), quantity=4)  # 0.5 x 4 x 100 = 200
    assert codes(t, limits=roomy_limits(max_portfolio_delta=Decimal(200))) == []
    [denial] = RULE.check(context(t, limits=roomy_limits(max_portfolio_delta=Decimal(199))))
    assert denial.code == "max_delta"
    assert denial.details["after"] == 200.0


def test_gamma_and_vega_limits_deny() -> None:
    t = trade(call_leg(gamma=0.02, vega=0.3), quantity=10)  # gamma 20, vega 300
    limits = roomy_limits(max_portfolio_gamma=Decimal(19), max_portfolio_vega=Decimal(299))
    assert codes(t, limits=limits) == ["max_gamma", "max_vega"]


def test_book_and_trade_add_up_with_stock_delta_one() -> None:
    positions = (held(stock(), 150), held(CALL, -1, delta=0.5))  # 150 - 50 = 100
    t = trade(call_leg(delta=0.5))  # +50
    assert codes(t, positions=positions, limits=roomy_limits(max_portfolio_delta=Decimal(150))) == []
    assert codes(t, positions=positions, limits=roomy_limits(max_portfolio_delta=Decimal(149))) == [
        "max_delta"
    ]


def test_per_underlying_delta_is_limited() -> None:
    positions = (held(stock("QQQ"), -1000),)
    t = trade(call_leg(delta=0.5), quantity=4)
    limits = roomy_limits(max_underlying_delta=Decimal(199))
    assert codes(t, positions=positions, limits=limits) == ["max_delta_underlying"]


def test_breached_measure_may_move_toward_zero() -> None:
    positions = (held(stock(), 1000),)
    hedge = trade(call_leg("SELL", delta=0.5), limit="-1.05")  # -50
    assert codes(hedge, positions=positions, limits=roomy_limits(max_portfolio_delta=Decimal(100))) == []


def test_breached_measure_may_not_grow() -> None:
    positions = (held(stock(), 1000),)
    more = trade(call_leg(delta=0.5))
    assert codes(more, positions=positions, limits=roomy_limits(max_portfolio_delta=Decimal(100))) == [
        "max_delta"
    ]


def test_missing_leg_greeks_deny_opening_trades() -> None:
    t = trade(leg(CALL, market=quote(CALL, greek=None)))
    assert codes(t) == ["missing_greeks"]
    assert codes(trade(leg(CALL, market=None), limit="1")) == ["missing_greeks"]


def test_nan_or_infinite_greeks_deny() -> None:
    assert codes(trade(call_leg(delta=math.nan))) == ["missing_greeks"]
    assert codes(trade(call_leg(vega=math.inf))) == ["missing_greeks"]


def test_held_option_without_greeks_denies() -> None:
    positions = (held(option(600), 1, delta=None),)
    [denial] = RULE.check(context(trade(call_leg()), positions=positions))
    assert denial.details["instruments"] == option(600).key


def test_missing_greeks_pass_for_a_reducing_trade() -> None:
    positions = (held(CALL, 2, delta=math.nan),)
    t = trade(leg(CALL, "SELL", market=quote(CALL, greek=None)), limit="-1.05")
    assert codes(t, positions=positions) == []


def test_overflowing_exposure_denies() -> None:
    t = trade(call_leg(delta=1e308), quantity=10)
    assert codes(t) == ["missing_greeks"]


def test_nan_limit_denies() -> None:
    assert codes(trade(call_leg()), limits=roomy_limits(max_portfolio_vega=Decimal("NaN"))) == ["max_vega"]
