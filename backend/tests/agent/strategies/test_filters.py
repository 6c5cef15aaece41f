"""Rows that are illiquid, outside a window, held already or paying too little are never traded."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from backend.agent.strategies import ChainView, StrategyParams, bull_put_spread, cash_secured_put
from backend.agent.strategies.selection import leg_net, limit_price
from backend.domain.instruments import Side
from backend.domain.values import InvalidValue
from backend.tests.agent.strategies.chains import (
    P,
    create_chain,
    create_holdings,
    create_params,
    create_row,
    with_row,
)

D = Decimal


def put_strikes(
    chain: ChainView, params: StrategyParams | None = None, keys: frozenset[str] = frozenset()
) -> list[Decimal]:
    found = cash_secured_put.find(chain, create_holdings(keys=keys), params or create_params())
    return [c.options[0].strike.value for c in found]


def test_both_window_puts_pass_on_the_fixed_chain() -> None:
    assert put_strikes(create_chain()) == [D("92.5"), D("95")]


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"bid": D("1.00"), "ask": D("1.90")}, "spread 62% of mid"),
        ({"bid": None}, "no bid"),
        ({"ask": None}, "no ask"),
        ({"bid": D(0), "ask": D("0.05")}, "nothing bid to sell into"),
        ({"open_interest": 99}, "open interest under 100"),
        ({"volume": 9}, "volume under 10"),
        ({"delta": -0.36}, "outside the delta window"),
        ({"delta": None}, "no delta"),
        ({"iv": None}, "no implied volatility"),
    ],
)
def test_a_failing_row_is_not_sold(change: dict[str, object], why: str) -> None:
    chain = with_row(create_chain(), "95", P, **change)
    assert put_strikes(chain) == [D("92.5")], why


def test_the_delta_window_edges_are_inclusive() -> None:
    params = create_params(target_delta_min=D("0.18"), target_delta_max=D("0.24"))
    assert put_strikes(create_chain(), params) == [D("92.5"), D("95")]
    narrower = create_params(target_delta_min=D("0.19"), target_delta_max=D("0.24"))
    assert put_strikes(create_chain(), narrower) == [D("95")]


def test_chains_outside_the_dte_window_find_nothing() -> None:
    assert put_strikes(create_chain(), create_params(max_dte=31)) == []
    assert put_strikes(create_chain(), create_params(min_dte=33)) == []
    assert put_strikes(create_chain(), create_params(min_dte=32, max_dte=32)) != []
    assert put_strikes(create_chain(today=date(2026, 6, 19), years=0.0), create_params(min_dte=0)) == []


def test_too_little_credit_is_refused() -> None:
    assert put_strikes(create_chain(), create_params(min_credit=D("1.42"))) == [D("95")]
    assert put_strikes(create_chain(), create_params(min_credit=D("1.43"))) == []


def test_an_option_already_held_is_not_proposed_again() -> None:
    held = frozenset({"XYZ   260619P00095000"})
    assert put_strikes(create_chain(), keys=held) == [D("92.5")]
    # The 90 put is the spread's wing: holding it stops the spread too.
    wing = frozenset({"XYZ   260619P00090000"})
    assert bull_put_spread.find(create_chain(), create_holdings(keys=wing), create_params()) == []


def test_an_illiquid_wing_stops_the_spread() -> None:
    chain = with_row(create_chain(), "90", P, open_interest=0)
    assert bull_put_spread.find(chain, create_holdings(), create_params()) == []


def test_a_wing_may_be_bought_with_a_zero_bid_but_never_sold() -> None:
    row = create_row("90", P, "0", "0.04", -0.01)
    wide = create_params(max_spread_pct=D(2))
    assert limit_price([leg_net(row, Side.BUY, wide)], wide) == D("0.03")  # mid 0.02 + half of 0.02
    chain = with_row(create_chain(), "90", P, bid=D(0), ask=D("0.04"))
    assert bull_put_spread.find(chain, create_holdings(), wide)


@pytest.mark.parametrize(
    ("edge", "expected"),
    [("0", "-1.45"), ("0.5", "-1.42"), ("1", "-1.40"), ("0.3", "-1.43")],
)
def test_edge_concedes_part_of_the_half_spread_and_rounds_against_us(edge: str, expected: str) -> None:
    found = cash_secured_put.find(create_chain(), create_holdings(), create_params(edge=D(edge)))
    assert found[1].legs[0].instrument.key == "XYZ   260619P00095000"
    assert found[1].limit_price == D(expected)


def test_a_coarser_tick_rounds_a_credit_down_and_a_debit_up() -> None:
    row = create_row("95", P, "1.40", "1.50", -0.24)
    params = create_params(tick=D("0.05"), edge=D(0))
    assert limit_price([leg_net(row, Side.SELL, params)], params) == D("-1.45")
    conceding = create_params(tick=D("0.05"), edge=D("0.2"))
    assert limit_price([leg_net(row, Side.SELL, conceding)], conceding) == D("-1.40")
    assert limit_price([leg_net(row, Side.BUY, conceding)], conceding) == D("1.50")


@pytest.mark.parametrize(
    "bad",
    [
        {"target_delta_min": D("0.4"), "target_delta_max": D("0.3")},
        {"min_dte": 10, "max_dte": 5},
        {"edge": D("1.5")},
        {"tick": D(0)},
        {"max_contracts": -1},
        {"min_credit": D("-0.1")},
    ],
)
def test_inconsistent_parameters_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(InvalidValue):
        StrategyParams(**bad)  # type: ignore[arg-type]
