"""Exit rules at their thresholds: profit target, stop, DTE, expiry day, a tested short strike."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from backend.agent.exits import OpenStructure, exit_signal
from backend.agent.profiles import profile_defaults
from backend.domain.instruments import ComboLeg, Option, OptionRight, Side
from backend.domain.values import Price

EXPIRY = date(2026, 12, 18)
TODAY = date(2026, 11, 24)
RULES = profile_defaults("moderate").management.model_copy(
    update={"take_profit_pct": Decimal(50), "stop_loss_multiple": Decimal(2), "exit_dte": 5}
)


def _put(strike: str) -> Option:
    return Option("SPY", EXPIRY, Price.of(strike), OptionRight.PUT, 100)


# A bull put spread sold for 1.00: short the 590 put, long the 585 put.
SPREAD = OpenStructure(
    legs=(ComboLeg(_put("590"), 1, Side.SELL), ComboLeg(_put("585"), 1, Side.BUY)),
    quantity=2,
    entry_net=Decimal("-1.00"),
)


def _marks(short: str, long: str) -> tuple[Decimal | None, ...]:
    return (Decimal(short), Decimal(long))


@pytest.mark.parametrize(
    ("short", "long", "reason"),
    [
        ("0.80", "0.30", "take_profit"),  # worth 0.50 to buy back: half the credit kept
        ("0.81", "0.30", None),  # 0.49 kept: not yet
        ("3.50", "0.50", "stop_loss"),  # costs 3.00 to close: a 2.00 loss, twice the credit
        ("3.49", "0.50", None),
    ],
)
def test_profit_and_stop_fire_exactly_at_their_thresholds(short: str, long: str, reason: str | None) -> None:
    signal = exit_signal(SPREAD, _marks(short, long), Decimal(600), TODAY, RULES)
    assert (signal.reason if signal else None) == reason


def test_a_missing_mark_never_fires_a_price_exit() -> None:
    assert exit_signal(SPREAD, (None, Decimal("0.30")), Decimal(600), TODAY, RULES) is None


def _reason_on(day: date) -> str | None:
    signal = exit_signal(SPREAD, _marks("2", "1"), Decimal(600), day, RULES)
    return signal.reason if signal else None


def test_time_exits_come_first() -> None:
    assert _reason_on(date(2026, 12, 13)) == "dte"
    assert _reason_on(date(2026, 12, 12)) is None
    assert _reason_on(date(2026, 12, 17)) == "expiry"


def test_a_tested_short_strike_closes_only_when_asked() -> None:
    tested = exit_signal(SPREAD, _marks("2", "1"), Decimal("589.99"), TODAY, RULES)
    assert tested is not None
    assert tested.reason == "tested"
    relaxed = RULES.model_copy(update={"close_when_tested": False})
    assert exit_signal(SPREAD, _marks("2", "1"), Decimal("589.99"), TODAY, relaxed) is None
    assert exit_signal(SPREAD, _marks("2", "1"), Decimal("590.00"), TODAY, RULES) is None
