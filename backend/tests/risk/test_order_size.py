"""Contracts, notional and premium per order."""

from decimal import Decimal

from backend.domain.orders import OrderType
from backend.risk.context import RiskLimits
from backend.risk.rules.contracts_per_order import ContractsPerOrderRule
from backend.risk.rules.notional_per_order import NotionalPerOrderRule
from backend.risk.rules.premium_per_order import PremiumPerOrderRule
from backend.tests.risk.factories import context, leg, option, quote, roomy_limits, stock, trade

NOTIONAL = NotionalPerOrderRule()
PREMIUM = PremiumPerOrderRule()


def test_contracts_at_the_limit_pass_and_one_more_denies() -> None:
    t = trade(leg(option(500)), leg(option(510), "SELL"), quantity=5, limit="0")
    assert ContractsPerOrderRule().check(context(t, limits=roomy_limits(max_contracts_per_order=10))) == []
    assert ContractsPerOrderRule().check(context(t, limits=roomy_limits(max_contracts_per_order=9)))


def notional_limit(value: int) -> RiskLimits:
    return roomy_limits(max_notional_per_order=Decimal(value))


def test_stock_notional_at_the_limit_passes_and_a_cent_over_denies() -> None:
    t = trade(leg(stock()), quantity=100, limit="500")
    assert NOTIONAL.check(context(t, limits=notional_limit(50_000))) == []
    [denial] = NOTIONAL.check(context(t, limits=roomy_limits(max_notional_per_order=Decimal("49999.99"))))
    assert denial.details == {"notional": Decimal(50_000), "limit": Decimal("49999.99")}


def test_short_option_counts_its_assignment_value() -> None:
    t = trade(leg(option(500, "P"), "SELL"), quantity=2, limit="-1.05")
    assert NOTIONAL.check(context(t, limits=notional_limit(100_000))) == []
    assert NOTIONAL.check(context(t, limits=notional_limit(99_999)))


def test_long_option_counts_its_premium() -> None:
    t = trade(leg(option(500)), quantity=2, limit="1.05")
    assert NOTIONAL.check(context(t, limits=notional_limit(210))) == []
    assert NOTIONAL.check(context(t, limits=notional_limit(209)))


def test_a_vertical_counts_its_width_not_two_naked_legs() -> None:
    t = trade(leg(option(500, "P"), "SELL"), leg(option(490, "P")), limit="0")
    # Width 10 x 100 for the covered short, plus the long's 1.05 x 100 premium.
    assert NOTIONAL.check(context(t, limits=notional_limit(1_105))) == []
    assert NOTIONAL.check(context(t, limits=notional_limit(1_104)))


def test_only_covered_contracts_count_at_the_width() -> None:
    t = trade(leg(option(500, "P"), "SELL", ratio=2), leg(option(490, "P")), limit="0")
    # One short covered (10 x 100), one naked (500 x 100), plus the long's premium.
    assert NOTIONAL.check(context(t, limits=notional_limit(51_105))) == []
    assert NOTIONAL.check(context(t, limits=notional_limit(51_104)))


def test_a_long_expiring_first_or_of_the_other_right_does_not_cover() -> None:
    near = option(490, "P", dte=23)
    earlier = trade(leg(option(500, "P"), "SELL"), leg(near, market=quote(near)), limit="0")
    other_right = trade(leg(option(500, "P"), "SELL"), leg(option(490, "C")), limit="0")
    for t in (earlier, other_right):
        assert NOTIONAL.check(context(t, limits=notional_limit(50_000)))


def test_combo_leg_without_a_quote_denies() -> None:
    t = trade(leg(option(500)), leg(option(510), "SELL", market=None), limit="0.5")
    t2 = trade(leg(option(500), market=None), leg(option(510), "SELL"), limit="0.5")
    assert NOTIONAL.check(context(t)) == []  # the short leg is valued by its strike
    assert [d.code for d in NOTIONAL.check(context(t2))] == ["no_price"]


def premium_limit(value: int | str) -> RiskLimits:
    return roomy_limits(max_premium_per_order=Decimal(value))


def test_premium_at_the_limit_passes_and_just_over_denies() -> None:
    t = trade(leg(option()), quantity=10, limit="2.50")
    assert PREMIUM.check(context(t, limits=premium_limit(2500))) == []
    [denial] = PREMIUM.check(context(t, limits=premium_limit("2499.99")))
    assert denial.details["premium"] == Decimal(2500)


def test_credit_premium_counts_by_its_size() -> None:
    t = trade(leg(option(), "SELL"), quantity=10, limit="-2.50")
    assert PREMIUM.check(context(t, limits=premium_limit(2499)))


def test_market_order_uses_the_net_mid() -> None:
    t = trade(leg(option(), market=quote(option(), "2.00", "3.00")), quantity=2, order_type=OrderType.MARKET)
    assert PREMIUM.check(context(t, limits=premium_limit(500))) == []
    assert PREMIUM.check(context(t, limits=premium_limit(499)))


def test_market_order_without_quotes_denies() -> None:
    t = trade(leg(option(), market=None), order_type=OrderType.MARKET)
    assert [d.code for d in PREMIUM.check(context(t))] == ["no_price"]


def test_buy_write_counts_only_the_option_legs() -> None:
    t = trade(
        leg(stock(), ratio=100, market=quote(stock(), "499", "501")),
        leg(option(510), "SELL", market=quote(option(510), "4", "6")),
        limit="49995",
    )
    assert PREMIUM.check(context(t, limits=premium_limit(500))) == []
    assert PREMIUM.check(context(t, limits=premium_limit(499)))


def test_stock_only_order_has_no_premium() -> None:
    t = trade(leg(stock()), quantity=1000, limit="500")
    assert PREMIUM.check(context(t, limits=premium_limit(0))) == []
