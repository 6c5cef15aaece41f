"""Single-option strategies on the fixed chain: strikes, limit price, figures and sizing, by hand."""

from __future__ import annotations

from decimal import Decimal

from backend.agent.strategies import Candidate, cash_secured_put, covered_call, protective_put, wheel
from backend.domain.instruments import Option, OptionRight, Side
from backend.tests.agent.strategies.chains import create_chain, create_holdings, create_params

D = Decimal


def strikes(candidates: list[Candidate]) -> list[tuple[str, ...]]:
    return [
        tuple(f"{leg.side.value} {o.strike}" for leg, o in zip(c.legs, c.options, strict=True))
        for c in candidates
    ]


def test_cash_secured_put_sells_each_put_in_the_delta_window() -> None:
    found = cash_secured_put.find(create_chain(), create_holdings(), create_params())
    assert strikes(found) == [("SELL 92.5",), ("SELL 95",)]


def test_cash_secured_put_prices_sizes_and_values_the_95_put() -> None:
    put = cash_secured_put.find(create_chain(), create_holdings(), create_params())[1]
    leg = put.legs[0]
    assert isinstance(leg.instrument, Option)
    assert leg.instrument.right is OptionRight.PUT
    assert leg.side is Side.SELL
    assert leg.instrument.key == "XYZ   260619P00095000"
    # Mid 1.45, half-spread 0.05, edge 0.5: -1.45 + 0.025 = -1.425, rounded up to -1.42.
    assert put.limit_price == D("-1.42")
    # 25,000 of buying power secures two 9,500 strikes (the 30,000 risk budget would allow three).
    assert put.quantity == 2
    assert put.max_profit == D("284.00")
    assert put.max_loss == D("18716.00")  # (95 - 1.42) x 100 x 2
    assert put.capital_at_risk == put.max_loss
    assert put.breakevens == (D("93.58"),)
    assert put.return_on_risk == D("0.0152")  # 284 / 18716
    assert put.greeks.delta == D("48.00")  # -(-0.24) x 100 x 2
    assert put.greeks.theta == D("6.00")
    assert "95 put" in put.rationale
    assert "1.42 credit" in put.rationale


def test_cash_secured_put_is_sized_by_the_risk_budget_when_it_binds() -> None:
    params = create_params(max_risk_per_trade=D(9400))
    found = cash_secured_put.find(create_chain(), create_holdings(buying_power="1000000"), params)
    # 9,400 covers the 92.5 put's 9,158 max loss once and the 95 put's 9,358 once: one each.
    assert [c.quantity for c in found] == [1, 1]
    assert (
        cash_secured_put.find(create_chain(), create_holdings(), create_params(max_risk_per_trade=D(9000)))
        == []
    )


def test_cash_secured_put_with_too_little_buying_power_finds_nothing() -> None:
    assert cash_secured_put.find(create_chain(), create_holdings(buying_power="9000"), create_params()) == []


def test_covered_call_needs_a_round_lot() -> None:
    assert covered_call.find(create_chain(), create_holdings(shares=99), create_params()) == []


def test_covered_call_sells_one_call_per_lot_held() -> None:
    (call,) = covered_call.find(create_chain(), create_holdings(shares=250), create_params())
    assert strikes([call]) == [("SELL 105",)]
    assert call.limit_price == D("-1.32")  # -1.35 + 0.025 = -1.325 -> -1.32
    assert call.quantity == 2  # 250 shares // 100
    assert call.covered is not None
    assert call.covered.reference_price == D(100)
    assert call.max_profit == D("1264.00")  # (105 - 100 + 1.32) x 100 x 2
    assert call.max_loss == D("19736.00")  # (100 - 1.32) x 100 x 2
    assert call.breakevens == (D("98.68"),)
    assert call.return_on_risk == D("0.0640")


def test_covered_call_is_capped_by_max_contracts_not_by_the_risk_budget() -> None:
    params = create_params(max_contracts=3, max_risk_per_trade=D(0))
    (call,) = covered_call.find(create_chain(), create_holdings(shares=1000), params)
    assert call.quantity == 3


def test_wheel_sells_puts_without_shares_and_calls_with_them() -> None:
    without = wheel.find(create_chain(), create_holdings(), create_params())
    with_shares = wheel.find(create_chain(), create_holdings(shares=300), create_params())
    assert [c.strategy for c in without + with_shares] == ["wheel"] * 3
    assert strikes(without) == [("SELL 92.5",), ("SELL 95",)]
    assert all(option.right is OptionRight.PUT for c in without for option in c.options)
    assert strikes(with_shares) == [("SELL 105",)]
    assert with_shares[0].quantity == 3


def test_protective_put_buys_puts_for_the_lots_held() -> None:
    found = protective_put.find(create_chain(), create_holdings(shares=250), create_params())
    assert strikes(found) == [("BUY 92.5",), ("BUY 95",)]
    put = found[1]
    assert put.limit_price == D("1.48")  # 1.45 + 0.025 = 1.475 -> 1.48
    assert put.quantity == 2
    assert put.max_profit is None  # the shares keep their upside
    assert put.max_loss == D("1296.00")  # (100 - 95 + 1.48) x 100 x 2
    assert put.breakevens == (D("101.48"),)
    assert put.return_on_risk is None
    assert put.score == 0.0


def test_protective_put_premium_is_capped_by_the_risk_budget() -> None:
    params = create_params(max_risk_per_trade=D(200))
    found = protective_put.find(create_chain(), create_holdings(shares=500), params)
    # 200 pays for two 92.5 puts at 96 but only one 95 put at 148.
    assert [c.quantity for c in found] == [2, 1]
    assert protective_put.find(create_chain(), create_holdings(), create_params()) == []
