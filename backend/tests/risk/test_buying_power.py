"""Buying power: the broker's figure when given, else the Reg-T-like estimate."""

from decimal import Decimal

from backend.domain.orders import OrderType
from backend.risk.context import ProposedTrade
from backend.risk.rules.buying_power import BuyingPowerRule, estimate_requirement
from backend.tests.risk.factories import context, held, leg, option, quote, stock, trade

RULE = BuyingPowerRule()


def need(t: ProposedTrade) -> Decimal | None:
    return estimate_requirement(t)


def test_long_option_needs_its_debit() -> None:
    assert need(trade(leg(option()), quantity=3, limit="1.05")) == Decimal("315")


def test_credit_vertical_needs_width_minus_credit() -> None:
    t = trade(leg(option(500, "P"), "SELL"), leg(option(495, "P")), quantity=2, limit="-1.20")
    assert need(t) == Decimal(5 * 100 * 2 - 240)


def test_iron_condor_needs_the_wider_side_minus_credit() -> None:
    t = trade(
        leg(option(480, "P")),
        leg(option(490, "P"), "SELL"),
        leg(option(510), "SELL"),
        leg(option(515)),
        limit="-2.00",
    )
    assert need(t) == Decimal(10 * 100 - 200)


def test_naked_put_is_cash_secured() -> None:
    assert need(trade(leg(option(500, "P"), "SELL"), limit="-3.00")) == Decimal(500 * 100 - 300)


def test_stock_needs_its_notional_long_or_short() -> None:
    assert need(trade(leg(stock()), quantity=10, limit="500")) == Decimal(5000)
    short = trade(leg(stock(), "SELL", market=quote(stock(), "499", "501")), quantity=10, limit="-500")
    assert need(short) == Decimal(5000)


def test_market_order_is_priced_at_the_net_mid() -> None:
    t = trade(leg(option(), market=quote(option(), "2", "3")), order_type=OrderType.MARKET)
    assert need(t) == Decimal(250)


def test_unpriceable_market_order_denies() -> None:
    t = trade(leg(option(), market=None), order_type=OrderType.MARKET)
    assert [d.code for d in RULE.check(context(t))] == ["no_estimate"]


def test_requirement_equal_to_buying_power_passes_and_a_cent_more_denies() -> None:
    t = trade(leg(option()), quantity=3, limit="1.05")
    assert RULE.check(context(t, buying_power=315)) == []
    [denial] = RULE.check(context(t, buying_power=Decimal("314.99")))
    assert denial.details == {
        "required": Decimal("315.00"),
        "buying_power": Decimal("314.99"),
        "source": "estimate",
    }


def test_broker_margin_overrides_the_estimate() -> None:
    t = trade(leg(option()), quantity=3, limit="1.05")
    assert RULE.check(context(t, buying_power=100, margin_required=Decimal(100))) == []
    [denial] = RULE.check(context(t, buying_power=100_000, margin_required=Decimal(100_001)))
    assert denial.details["source"] == "broker"


def test_non_finite_broker_margin_denies() -> None:
    t = trade(leg(option()), limit="1.05")
    assert RULE.check(context(t, margin_required=Decimal("NaN")))[0].code == "no_estimate"


def test_reducing_trade_passes_without_buying_power() -> None:
    t = trade(leg(option(), "SELL"), limit="-1.05")
    assert RULE.check(context(t, positions=(held(option(), 1),), buying_power=0)) == []
