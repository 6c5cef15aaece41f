"""Malformed trades are refused before any limit is weighed."""

from decimal import Decimal
from typing import Any

import pytest

from backend.domain.orders import OrderType
from backend.risk.rules.trade_shape import MAX_LEG_UNITS, MAX_UNITS, TradeShapeRule
from backend.tests.risk.factories import context, leg, option, stock, trade

RULE = TradeShapeRule()


def codes(**kw: Any) -> list[str]:
    return [d.code for d in RULE.check(context(trade(**kw)))]


def test_well_formed_single_option_passes() -> None:
    assert codes() == []


@pytest.mark.parametrize("quantity", [0, -1, MAX_UNITS + 1])
def test_quantity_outside_sane_range_denies(quantity: int) -> None:
    assert "bad_quantity" in codes(quantity=quantity)


def test_quantity_at_the_cap_passes() -> None:
    assert codes(quantity=MAX_UNITS) == []


def test_leg_units_past_the_cap_deny() -> None:
    t = trade(leg(stock(), ratio=MAX_LEG_UNITS // 10 + 1), quantity=10, limit="500")
    assert [d.code for d in RULE.check(context(t))] == ["bad_quantity"]


def test_limit_order_without_price_denies() -> None:
    assert codes(limit=None) == ["bad_limit_price"]


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_non_finite_limit_price_denies(bad: str) -> None:
    assert codes(limit=Decimal(bad)) == ["bad_limit_price"]


def test_market_order_with_a_price_denies() -> None:
    assert codes(order_type=OrderType.MARKET, limit="1.05") == ["bad_limit_price"]


def test_market_order_without_price_passes() -> None:
    assert codes(order_type=OrderType.MARKET) == []


def test_credit_on_an_all_buy_order_denies() -> None:
    assert codes(limit="-1.00") == ["limit_price_sign"]


def test_debit_on_an_all_sell_order_denies() -> None:
    t = trade(leg(option(), "SELL"), limit="1.00")
    assert [d.code for d in RULE.check(context(t))] == ["limit_price_sign"]


def test_combo_may_be_priced_either_way() -> None:
    t = trade(leg(option(500), "BUY"), leg(option(510), "SELL"), limit="-0.10")
    assert RULE.check(context(t)) == []


def test_leg_on_another_underlying_denies() -> None:
    t = trade(leg(option(500)), leg(option(500, underlying="QQQ"), "SELL"), limit="0")
    assert [d.code for d in RULE.check(context(t))] == ["wrong_underlying"]


def test_duplicate_legs_deny() -> None:
    t = trade(leg(option(500)), leg(option(500), "SELL"), limit="0")
    assert [d.code for d in RULE.check(context(t))] == ["duplicate_legs"]


def test_no_legs_denies() -> None:
    t = trade(leg(option()))
    empty = type(t)(**{**{f: getattr(t, f) for f in t.__dataclass_fields__}, "legs": ()})
    assert "no_legs" in [d.code for d in RULE.check(context(empty))]
