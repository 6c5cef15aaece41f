"""Decimal value objects, instruments and order commands refuse what makes no sense."""

from __future__ import annotations

import math
from dataclasses import fields, replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.brokers.base import DataSource, Greeks, Quote
from backend.domain.instruments import Combo, ComboLeg, Option, OptionRight, Side, Stock, vertical
from backend.domain.orders import OrderRequest, OrderType
from backend.domain.values import InvalidValue, Money, NetPrice, Price, Quantity, notional, round_to_tick


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, "NaN", "sNaN", "Infinity", "abc", True])
def test_price_refuses_non_finite_or_non_numbers(bad: object) -> None:
    with pytest.raises(InvalidValue):
        Price.of(bad)  # type: ignore[arg-type]


def test_price_and_quantity_refuse_negatives_but_net_price_and_money_allow_them() -> None:
    with pytest.raises(InvalidValue):
        Price.of(-1)
    with pytest.raises(InvalidValue):
        Quantity.of("-0.5")
    assert NetPrice.of("-1.20").value == Decimal("-1.20")
    assert Money.of(-3).amount == Decimal(-3)


def test_float_input_goes_through_its_shortest_repr() -> None:
    assert Price.of(0.1).value == Decimal("0.1")


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=0, max_value=10**9, places=4))
def test_price_keeps_any_finite_non_negative_decimal(value: Decimal) -> None:
    assert Price.of(value).value == value


def test_money_refuses_mixed_currencies_and_bad_codes() -> None:
    with pytest.raises(InvalidValue):
        Money.of(1, "USD") + Money.of(1, "SGD")
    with pytest.raises(InvalidValue):
        Money.of(1, "usd")
    assert (Money.of("1.005") + Money.of(2)).rounded() == Money.of("3.00")


def test_round_to_tick_rounds_in_the_asked_direction() -> None:
    tick = Decimal("0.05")
    assert round_to_tick(Decimal("1.23"), tick, direction="down") == Decimal("1.20")
    assert round_to_tick(Decimal("1.23"), tick, direction="up") == Decimal("1.25")
    assert round_to_tick(Decimal("1.23"), tick) == Decimal("1.25")


def test_notional_applies_the_explicit_multiplier() -> None:
    assert notional(Decimal("1.25"), Decimal(3), 100) == Decimal("375.00")
    with pytest.raises(InvalidValue):
        notional(Decimal(1), Decimal(1), 0)


def test_option_key_is_the_occ_symbol() -> None:
    option = Option("spy", date(2026, 5, 15), Price.of("500.5"), OptionRight.CALL)
    assert option.key == "SPY   260515C00500500"
    assert option.trading_class == "SPY"
    assert option.intrinsic(Decimal(510)) == Decimal("9.5")


def test_combo_key_is_stable_whatever_the_leg_order() -> None:
    expiry = date(2026, 5, 15)
    a = ComboLeg(Option("SPY", expiry, Price.of(500), OptionRight.CALL), 1, Side.BUY)
    b = ComboLeg(Option("SPY", expiry, Price.of(505), OptionRight.CALL), 1, Side.SELL)
    assert Combo((a, b)).key == Combo((b, a)).key
    assert Combo((a, b)).key != Combo((ComboLeg(a.instrument, 1, Side.SELL), b)).key


def test_combo_refuses_one_leg_mixed_underlyings_and_reducible_ratios() -> None:
    expiry = date(2026, 5, 15)
    leg = ComboLeg(Option("SPY", expiry, Price.of(500), OptionRight.CALL), 2, Side.BUY)
    with pytest.raises(InvalidValue):
        Combo((leg,))
    with pytest.raises(InvalidValue):
        Combo((leg, ComboLeg(Stock("QQQ"), 1, Side.SELL)))
    with pytest.raises(InvalidValue):
        Combo((leg, ComboLeg(Option("SPY", expiry, Price.of(505), OptionRight.CALL), 2, Side.SELL)))


def test_order_request_enforces_price_rules() -> None:
    spread = vertical("SPY", date(2026, 5, 15), Price.of(500), Price.of(505), OptionRight.CALL)
    credit = OrderRequest("c-1", spread, Side.BUY, Quantity.of(1), limit_price=NetPrice.of("-1.20"))
    assert credit.is_combo
    with pytest.raises(InvalidValue):
        OrderRequest("c-2", Stock("SPY"), Side.BUY, Quantity.of(1), limit_price=NetPrice.of(-1))
    with pytest.raises(InvalidValue):
        OrderRequest("c-3", Stock("SPY"), Side.BUY, Quantity.of(1))
    with pytest.raises(InvalidValue):
        OrderRequest("c-4", Stock("SPY"), Side.BUY, Quantity.of(1), OrderType.MARKET, NetPrice.of(1))
    with pytest.raises(InvalidValue):
        OrderRequest("c-5", Stock("SPY"), Side.BUY, Quantity.of("1.5"), OrderType.MARKET)
    with pytest.raises(InvalidValue):
        OrderRequest("bad id!", Stock("SPY"), Side.BUY, Quantity.of(1), OrderType.MARKET)


def test_naive_timestamps_are_refused() -> None:
    from backend.domain.orders import require_aware

    with pytest.raises(InvalidValue):
        require_aware(datetime(2026, 5, 11, 12, 0))  # noqa: DTZ001 - the point of the test


def test_a_restamped_quote_keeps_every_field_but_its_time() -> None:
    option = Option("SPY", date(2026, 12, 18), Price.of(590), OptionRight.PUT, 100)
    quote = Quote(
        option,
        Price.of("1.00"),
        Price.of("1.10"),
        Price.of("1.05"),
        Quantity.of(3),
        Quantity.of(4),
        Quantity.of(500),
        Quantity.of(1200),
        DataSource.DELAYED,
        datetime(2026, 11, 24, 15, 0, tzinfo=UTC),
        Greeks(-0.3, 0.02, 0.4, -0.05, -0.1),
        0.21,
        Price.of(600),
    )
    # Every field is set away from its default, so a field the copy forgot would show.
    assert all(getattr(quote, f.name) != f.default for f in fields(Quote))
    later = datetime(2026, 11, 24, 15, 0, 1, tzinfo=UTC)
    assert quote.stamped(later) == replace(quote, ts=later)
