"""Allowed underlyings, order rate, daily loss and open-position count."""

from decimal import Decimal

from backend.risk.context import HeldPosition
from backend.risk.rules.allowed_underlyings import AllowedUnderlyingsRule
from backend.risk.rules.daily_loss import DailyLossRule
from backend.risk.rules.max_open_positions import MaxOpenPositionsRule
from backend.risk.rules.order_rate import OrderRateRule
from backend.tests.risk.factories import context, held, leg, option, roomy_limits, stock, trade


def test_underlying_in_the_allowed_set_passes_case_insensitively() -> None:
    ctx = context(limits=roomy_limits(allowed_underlyings=frozenset({"spy", "QQQ"})))
    assert AllowedUnderlyingsRule().check(ctx) == []


def test_underlying_outside_the_allowed_set_denies_with_the_set() -> None:
    ctx = context(limits=roomy_limits(allowed_underlyings=frozenset({"QQQ"})))
    [denial] = AllowedUnderlyingsRule().check(ctx)
    assert denial.details == {"underlyings": "SPY", "allowed": "QQQ"}


def test_empty_allowed_set_denies_everything() -> None:
    assert AllowedUnderlyingsRule().check(context(limits=roomy_limits(allowed_underlyings=frozenset())))


def test_no_allowed_set_allows_everything() -> None:
    assert AllowedUnderlyingsRule().check(context(limits=roomy_limits(allowed_underlyings=None))) == []


def test_orders_just_below_the_rate_pass_and_at_the_rate_deny() -> None:
    limits = roomy_limits(max_orders_per_minute=5)
    assert OrderRateRule().check(context(limits=limits, orders_last_minute=4)) == []
    [denial] = OrderRateRule().check(context(limits=limits, orders_last_minute=5))
    assert denial.details == {"orders_last_minute": 5, "limit": 5}


def test_loss_just_inside_the_limit_passes() -> None:
    ctx = context(limits=roomy_limits(max_daily_loss=Decimal(1000)), daily_pnl=Decimal("-999.99"))
    assert DailyLossRule().check(ctx) == []


def test_loss_at_the_limit_denies_opening_trades() -> None:
    ctx = context(limits=roomy_limits(max_daily_loss=Decimal(1000)), daily_pnl=-1000)
    [denial] = DailyLossRule().check(ctx)
    assert denial.details["limit"] == Decimal(1000)


def test_loss_past_the_limit_lets_reducing_trades_through() -> None:
    opt = option()
    ctx = context(
        trade(leg(opt, "SELL"), limit="-1.05"),
        positions=(held(opt, 2),),
        limits=roomy_limits(max_daily_loss=Decimal(1000)),
        daily_pnl=-5000,
    )
    assert DailyLossRule().check(ctx) == []


def book(n: int) -> tuple[HeldPosition, ...]:
    return tuple(held(option(400 + i), 1) for i in range(n))


def test_opening_the_last_allowed_position_passes() -> None:
    ctx = context(positions=book(2), limits=roomy_limits(max_open_positions=3))
    assert MaxOpenPositionsRule().check(ctx) == []


def test_opening_one_past_the_limit_denies() -> None:
    ctx = context(positions=book(3), limits=roomy_limits(max_open_positions=3))
    [denial] = MaxOpenPositionsRule().check(ctx)
    assert denial.details == {"open_positions": 4, "limit": 3}


def test_adding_to_a_held_position_passes_over_the_limit() -> None:
    ctx = context(trade(leg(option(400))), positions=book(5), limits=roomy_limits(max_open_positions=3))
    assert MaxOpenPositionsRule().check(ctx) == []


def test_closing_a_position_passes_over_the_limit() -> None:
    t = trade(leg(option(400), "SELL"), limit="-1.05")
    ctx = context(t, positions=book(5), limits=roomy_limits(max_open_positions=3))
    assert MaxOpenPositionsRule().check(ctx) == []


def test_zero_quantity_rows_do_not_count() -> None:
    positions = (*book(2), held(stock("QQQ"), 0))
    ctx = context(positions=positions, limits=roomy_limits(max_open_positions=3))
    assert MaxOpenPositionsRule().check(ctx) == []
