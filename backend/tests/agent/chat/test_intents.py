"""The built-in parser: each phrase to its intent and arguments, expiries to listed dates, settings to paths."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from backend.agent.chat.expiries import find_expiry, resolve_expiry, third_friday
from backend.agent.chat.intents import parse

TODAY = date(2026, 11, 24)  # a Tuesday
LISTED = [date(2026, 11, 27), date(2026, 12, 4), date(2026, 12, 18), date(2026, 12, 24), date(2027, 1, 15)]


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("help", "help"),
        ("?", "help"),
        ("show my positions", "positions"),
        ("what's my P&L?", "pnl"),
        ("how am I doing", "pnl"),
        ("greeks", "greeks"),
        ("what is my exposure", "greeks"),
        ("status", "status"),
        ("what are my proposals", "proposals"),
        ("pause", "pause"),
        ("resume", "resume"),
        ("yes", "confirm"),
        ("no", "decline"),
        ("the cat sat on the mat", "unknown"),
    ],
)
def test_plain_phrases_map_to_their_intent(message: str, intent: str) -> None:
    assert parse(message, TODAY).name == intent


def test_quotes_name_every_ticker_in_either_case() -> None:
    assert parse("what's SPY at", TODAY).symbols == ("SPY",)
    assert parse("quote aapl, qqq", TODAY).symbols == ("AAPL", "QQQ")
    assert parse("quote", TODAY).problem is not None


def test_a_delta_request_reads_side_right_delta_symbol_and_expiry() -> None:
    intent = parse("sell a 30 delta put on AAPL for next month", TODAY)
    assert intent.name == "propose"
    order = intent.order
    assert order is not None
    assert (order.action, order.right, order.symbol, order.quantity) == ("sell", "put", "AAPL", 1)
    assert (order.delta, order.strike, order.structure) == (Decimal("0.3"), None, "single")
    assert intent.expiry is not None
    assert resolve_expiry(intent.expiry, LISTED, TODAY, 30) == date(2026, 12, 18) == third_friday(2026, 12)


def test_a_count_a_strike_and_a_date_are_told_apart() -> None:
    intent = parse("buy 2 SPY 600 calls expiring Dec 19", TODAY)
    order = intent.order
    assert order is not None
    assert (order.quantity, order.strike, order.right, order.action) == (2, Decimal(600), "call", "buy")
    assert intent.expiry is not None
    # Dec 19 is a Saturday: the nearest listed expiry is the Friday before.
    assert resolve_expiry(intent.expiry, LISTED, TODAY, 30) == date(2026, 12, 18)
    bare = parse("buy 600 calls on SPY", TODAY).order
    assert bare is not None
    assert (bare.quantity, bare.strike) == (1, Decimal(600))


def test_a_spread_with_width_price_and_days() -> None:
    intent = parse("sell 3 5 wide call spreads on IWM in 30 days at 1.20", TODAY)
    order = intent.order
    assert order is not None
    assert (order.structure, order.quantity, order.width, order.limit_price) == (
        "vertical",
        3,
        Decimal(5),
        Decimal("1.20"),
    )
    assert order.strike is None
    assert intent.expiry is not None
    assert resolve_expiry(intent.expiry, LISTED, TODAY, 30) == date(2026, 12, 24)


def test_an_order_without_a_right_or_a_symbol_says_what_is_missing() -> None:
    assert "call or a put" in (parse("sell something on AAPL", TODAY).problem or "")
    assert "underlying" in (parse("sell a put", TODAY).problem or "")


@pytest.mark.parametrize(
    ("message", "reference"),
    [
        ("approve 2", "2"),
        ("approve the AAPL put", "AAPL put"),
        ("reject 3f2a9c1d", "3f2a9c1d"),
        ("explain", ""),
    ],
)
def test_references_keep_what_identifies_the_proposal(message: str, reference: str) -> None:
    assert parse(message, TODAY).reference == reference


def test_modes_and_settings_become_validated_changes() -> None:
    assert parse("switch to autonomous", TODAY).mode == "autonomous"
    assert parse("set mode to manual", TODAY).mode == "manual"
    assert parse("set max daily loss to 2000", TODAY).flat == {"risk.max_daily_loss": "2000"}
    assert parse("set target delta to 0.2-0.3", TODAY).change == {
        "entry": {"target_delta_min": "0.2", "target_delta_max": "0.3"}
    }
    assert parse("set target delta to 20-30", TODAY).flat["entry.target_delta_max"] == "0.3"
    assert parse("set scan interval to 10 minutes", TODAY).flat == {"scan_interval_seconds": 600}
    assert parse("set scan interval to 2h", TODAY).flat == {"scan_interval_seconds": 7200}
    assert parse("set watchlist to SPY, qqq", TODAY).flat == {"watchlist": ["SPY", "QQQ"]}
    assert parse("set the moon to blue", TODAY).problem is not None
    assert parse("set max daily loss to lots", TODAY).problem is not None


def test_expiry_phrases_resolve_to_listed_dates() -> None:
    def resolved(text: str) -> date | None:
        phrase, _ = find_expiry(text, TODAY)
        return resolve_expiry(phrase, LISTED, TODAY, 30)

    assert resolved("this week") == date(2026, 11, 27)
    assert resolved("next week") == date(2026, 12, 4)
    assert resolved("the front month") == date(2026, 11, 27)
    assert resolved("january") == date(2027, 1, 15)
    assert resolved("2026-12-24") == date(2026, 12, 24)
    assert resolved("12/4") == date(2026, 12, 4)
    assert resolved("nothing said") == date(2026, 12, 24), "no phrase: nearest to the default days"
    assert resolve_expiry(None, [], TODAY, 30) is None
