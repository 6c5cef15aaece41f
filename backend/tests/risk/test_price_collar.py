"""Limit prices near the net mid; every leg needs a fresh two-sided quote, market orders too."""

from decimal import Decimal
from typing import Any

import pytest

from backend.domain.orders import OrderType
from backend.risk.context import ProposedTrade
from backend.risk.rules.price_collar import PriceCollarRule
from backend.tests.risk.factories import context, leg, option, quote, roomy_limits, stock, trade

RULE = PriceCollarRule()
CALL = option(500)
PUT = option(490, "P")


def codes(t: ProposedTrade, **kw: Any) -> list[str]:
    return [d.code for d in RULE.check(context(t, **kw))]


def test_limit_at_the_edge_of_the_collar_passes() -> None:
    # mid 1.05, 10% band 0.105 plus the 0.01 floor
    assert codes(trade(leg(CALL), limit="1.165")) == []
    assert codes(trade(leg(CALL), limit="0.935")) == []


def test_limit_just_outside_the_collar_denies_with_numbers() -> None:
    [denial] = RULE.check(context(trade(leg(CALL), limit="1.166")))
    assert denial.code == "outside_collar"
    assert denial.details["net_mid"] == Decimal("1.05")
    assert denial.details["band"] == Decimal("0.115")


def test_credit_spread_collar_uses_the_signed_net_mid() -> None:
    t = trade(
        leg(PUT, "SELL", market=quote(PUT, "3.00", "3.20")),
        leg(option(480, "P"), market=quote(option(480, "P"), "1.00", "1.20")),
        limit="-2.00",
    )
    assert codes(t) == []
    assert codes(trade(*t.legs, limit="2.00")) == ["outside_collar"]


def test_zero_cost_combo_can_trade_at_mid_plus_a_cent() -> None:
    t = trade(leg(CALL), leg(option(510), "SELL"), limit="0.01")
    assert codes(t) == []
    assert codes(trade(*t.legs, limit="0.02")) == ["outside_collar"]


@pytest.mark.parametrize("order_type", [OrderType.LIMIT, OrderType.MARKET])
def test_missing_quote_denies(order_type: OrderType) -> None:
    t = trade(
        leg(CALL, market=None), limit="1.05" if order_type is OrderType.LIMIT else None, order_type=order_type
    )
    assert codes(t) == ["missing_quote"]


@pytest.mark.parametrize(("bid", "ask"), [(None, "1.10"), ("1.00", None), (None, None)])
def test_one_sided_quote_denies_market_orders(bid: str | None, ask: str | None) -> None:
    t = trade(leg(CALL, market=quote(CALL, bid, ask)), order_type=OrderType.MARKET)
    assert codes(t) == ["one_sided_quote"]


def test_quote_exactly_at_the_max_age_passes_and_older_denies() -> None:
    limits = roomy_limits(max_quote_age_seconds=15)
    assert codes(trade(leg(CALL, market=quote(CALL, age=15))), limits=limits) == []
    assert codes(trade(leg(CALL, market=quote(CALL, age=15.001))), limits=limits) == ["stale_quote"]


def test_quote_from_the_future_is_stale() -> None:
    assert codes(trade(leg(CALL, market=quote(CALL, age=-60)))) == ["stale_quote"]


def test_quote_for_another_instrument_denies() -> None:
    assert codes(trade(leg(CALL, market=quote(PUT)), limit="1.05")) == ["quote_mismatch"]


def test_every_bad_leg_is_reported() -> None:
    t = trade(leg(CALL, market=None), leg(stock(), "SELL", market=quote(stock(), age=999)), limit="0")
    assert codes(t) == ["missing_quote", "stale_quote"]


def test_market_order_with_fresh_two_sided_quotes_passes() -> None:
    assert codes(trade(leg(CALL), leg(stock()), order_type=OrderType.MARKET)) == []


def test_non_finite_limit_price_denies() -> None:
    assert codes(trade(leg(CALL), limit=Decimal("NaN"))) == ["bad_limit_price"]
