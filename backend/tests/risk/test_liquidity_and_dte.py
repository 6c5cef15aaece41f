"""Option liquidity per leg, and the days-to-expiry window."""

from decimal import Decimal
from typing import Any

from backend.domain.orders import OrderType
from backend.risk.context import ProposedTrade
from backend.risk.rules.dte_window import DteWindowRule
from backend.risk.rules.liquidity import LiquidityRule
from backend.tests.risk.factories import context, held, leg, option, quote, roomy_limits, stock, trade

LIQ = LiquidityRule()
DTE = DteWindowRule()
CALL = option(500)


def liq(t: ProposedTrade, **kw: Any) -> list[str]:
    return [d.code for d in LIQ.check(context(t, **kw))]


def test_spread_at_the_limit_passes_and_wider_denies() -> None:
    limits = roomy_limits(max_spread_pct=Decimal("0.2"))
    assert liq(trade(leg(CALL, market=quote(CALL, "0.90", "1.10"))), limits=limits) == []
    assert liq(trade(leg(CALL, market=quote(CALL, "0.90", "1.11"))), limits=limits) == ["wide_spread"]


def test_zero_mid_denies_an_opening_leg() -> None:
    assert liq(trade(leg(CALL, market=quote(CALL, "0", "0")), limit="0")) == ["wide_spread"]


def test_open_interest_and_volume_at_the_minimum_pass_and_below_deny() -> None:
    limits = roomy_limits(min_open_interest=100, min_volume=5)
    ok = quote(CALL, open_interest=100, volume=5)
    low = quote(CALL, open_interest=99, volume=4)
    assert liq(trade(leg(CALL, market=ok)), limits=limits) == []
    assert liq(trade(leg(CALL, market=low)), limits=limits) == ["open_interest", "volume"]


def test_missing_open_interest_or_volume_denies_when_a_minimum_is_set() -> None:
    limits = roomy_limits(min_open_interest=1, min_volume=1)
    missing = quote(CALL, open_interest=None, volume=None)
    assert liq(trade(leg(CALL, market=missing)), limits=limits) == ["open_interest", "volume"]


def test_missing_volume_passes_when_the_minimum_is_zero() -> None:
    assert liq(trade(leg(CALL, market=quote(CALL, volume=None))), limits=roomy_limits(min_volume=0)) == []


def test_reducing_leg_skips_spread_open_interest_and_volume() -> None:
    bad = quote(CALL, "0", "0.05", open_interest=None, volume=None)
    t = trade(leg(CALL, market=bad), limit="0.03")
    limits = roomy_limits(min_open_interest=10, min_volume=10)
    assert liq(t, limits=limits, positions=(held(CALL, -3),)) == []
    assert liq(t, limits=limits) == ["wide_spread", "open_interest", "volume"]


def test_reducing_leg_still_needs_a_fresh_two_sided_quote() -> None:
    positions = (held(CALL, -3),)
    assert liq(trade(leg(CALL, market=None), order_type=OrderType.MARKET), positions=positions) == [
        "missing_quote"
    ]
    assert liq(trade(leg(CALL, market=quote(CALL, None, "0.05")), limit="0.05"), positions=positions) == [
        "one_sided_quote"
    ]
    assert liq(trade(leg(CALL, market=quote(CALL, age=60)), limit="1.05"), positions=positions) == [
        "stale_quote"
    ]


def test_stock_legs_are_not_liquidity_checked() -> None:
    assert liq(trade(leg(stock(), market=quote(stock(), "1", "5")), limit="3")) == []


def dte(t: ProposedTrade, **kw: Any) -> list[str]:
    return [d.code for d in DTE.check(context(t, **kw))]


def test_dte_on_the_window_edges_passes_and_outside_denies() -> None:
    limits = roomy_limits(min_dte=7, max_dte=45)
    assert dte(trade(leg(option(dte=7))), limits=limits) == []
    assert dte(trade(leg(option(dte=45))), limits=limits) == []
    assert dte(trade(leg(option(dte=6))), limits=limits) == ["dte_window"]
    [denial] = DTE.check(context(trade(leg(option(dte=46))), limits=limits))
    assert denial.details["dte"] == 46


def test_expiring_today_is_not_expired() -> None:
    assert dte(trade(leg(option(dte=0))), limits=roomy_limits(min_dte=0)) == []


def test_expired_option_denies_even_when_closing() -> None:
    expired = option(dte=-1)
    assert dte(trade(leg(expired, "SELL"), limit="-1.05"), positions=(held(expired, 1),)) == ["expired"]


def test_closing_leg_outside_the_window_passes() -> None:
    near = option(dte=1)
    t = trade(leg(near, "SELL"), limit="-1.05")
    assert dte(t, positions=(held(near, 1),), limits=roomy_limits(min_dte=7)) == []


def test_roll_checks_only_the_opening_leg() -> None:
    near, far = option(dte=1), option(dte=100)
    t = trade(leg(near, "SELL"), leg(far), limit="0")
    limits = roomy_limits(min_dte=7, max_dte=45)
    [denial] = DTE.check(context(t, positions=(held(near, 1),), limits=limits))
    assert denial.details["instrument"] == far.key
