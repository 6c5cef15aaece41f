"""Multi-leg strategies on the fixed chain: verticals, iron condors and collars, checked by hand."""

from __future__ import annotations

from decimal import Decimal

from backend.agent.strategies import (
    Candidate,
    bear_call_spread,
    bull_put_spread,
    cash_secured_put,
    collar,
    iron_condor,
    protective_put,
)
from backend.tests.agent.strategies.chains import create_chain, create_holdings, create_params

D = Decimal


def strikes(candidate: Candidate) -> list[str]:
    return [
        f"{leg.side.value} {o.strike}{o.right.value}"
        for leg, o in zip(candidate.legs, candidate.options, strict=True)
    ]


def test_bull_put_spread_buys_the_wing_five_points_below() -> None:
    (spread,) = bull_put_spread.find(create_chain(), create_holdings(), create_params())
    assert strikes(spread) == ["SELL 95P", "BUY 90P"]
    # -1.45 + 0.025 + 0.58 + 0.015 = -0.83 (already on the tick).
    assert spread.limit_price == D("-0.83")
    assert spread.quantity == 10  # max_contracts binds before the risk budget (71) or buying power (59)
    assert spread.max_profit == D("830.00")
    assert spread.max_loss == D("4170.00")  # (5 - 0.83) x 100 x 10
    assert spread.breakevens == (D("94.17"),)
    assert spread.return_on_risk == D("0.1990")


def test_bull_put_spread_below_the_credit_to_width_minimum_is_refused() -> None:
    # The 92.5 short's wing is the 90 (87.5 is unlisted; 90 and 85 tie, the narrower wins):
    # 0.32 credit on 2.5 points is 12.8%, under the 15% minimum.
    assert (
        strikes(bull_put_spread.find(create_chain(), create_holdings(), create_params())[0])[0] == "SELL 95P"
    )
    loose = create_params(min_credit_to_width=D("0.12"))
    found = bull_put_spread.find(create_chain(), create_holdings(), loose)
    assert [strikes(c) for c in found] == [["SELL 92.5P", "BUY 90P"], ["SELL 95P", "BUY 90P"]]
    assert found[0].limit_price == D("-0.32")  # -0.94 + 0.02 + 0.58 + 0.015 = -0.325 -> -0.32


def test_bear_call_spread_buys_the_wing_five_points_above() -> None:
    (spread,) = bear_call_spread.find(create_chain(), create_holdings(), create_params())
    assert strikes(spread) == ["SELL 105C", "BUY 110C"]
    assert spread.limit_price == D("-0.78")  # -1.35 + 0.025 + 0.53 + 0.015
    assert spread.max_profit == D("780.00")
    assert spread.max_loss == D("4220.00")
    assert spread.breakevens == (D("105.78"),)


def test_risk_budget_sizes_a_spread() -> None:
    (spread,) = bull_put_spread.find(
        create_chain(), create_holdings(), create_params(max_risk_per_trade=D(1500))
    )
    assert spread.quantity == 3  # 1500 // 417
    assert spread.max_loss == D("1251.00")


def test_iron_condor_sells_both_verticals_and_is_bounded_by_the_wider_side() -> None:
    narrow, wide = iron_condor.find(create_chain(), create_holdings(), create_params())
    assert strikes(wide) == ["BUY 90P", "SELL 95P", "SELL 105C", "BUY 110C"]
    assert wide.limit_price == D("-1.61")  # -0.83 - 0.78, both verticals' unrounded sums
    assert wide.max_profit == D("1610.00")
    assert wide.max_loss == D("3390.00")  # (5 - 1.61) x 100 x 10
    assert wide.breakevens == (D("93.39"), D("106.61"))
    assert strikes(narrow) == ["BUY 90P", "SELL 92.5P", "SELL 105C", "BUY 110C"]
    assert narrow.limit_price == D("-1.10")  # -1.105 rounded up
    # The 2.5-point put side would lose 140; the 5-point call side 390 a condor.
    assert narrow.max_loss == D("3900.00")
    assert narrow.breakevens == (D("91.40"), D("106.10"))


def test_collar_buys_a_put_and_sells_a_call_for_shares_held() -> None:
    found = collar.find(create_chain(), create_holdings(shares=200), create_params())
    assert [strikes(c) for c in found] == [["BUY 92.5P", "SELL 105C"], ["BUY 95P", "SELL 105C"]]
    credit, debit = found
    assert debit.limit_price == D("0.15")  # 1.475 - 1.325
    assert debit.quantity == 2
    assert debit.max_profit == D("970.00")  # (105 - 100 - 0.15) x 100 x 2
    assert debit.max_loss == D("1030.00")  # (100 - 95 + 0.15) x 100 x 2
    assert debit.breakevens == (D("100.15"),)
    assert credit.limit_price == D("-0.36")  # 0.96 - 1.325 = -0.365 -> -0.36
    assert credit.max_profit == D("1072.00")
    assert credit.max_loss == D("1428.00")
    assert collar.find(create_chain(), create_holdings(), create_params()) == []


def test_without_combo_support_only_single_leg_strategies_run() -> None:
    params = create_params(combos_allowed=False)
    chain, holdings = create_chain(), create_holdings(shares=200)
    for multi_leg in (bull_put_spread, bear_call_spread, iron_condor, collar):
        assert multi_leg.find(chain, holdings, params) == []
    assert cash_secured_put.find(chain, holdings, params)
    assert protective_put.find(chain, holdings, params)
