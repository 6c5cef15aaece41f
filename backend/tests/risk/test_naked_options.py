"""Naked short calls never; naked short puts only when allowed; covers counted in shares."""

from typing import Any

from backend.risk.context import ProposedTrade
from backend.risk.rules.naked_options import NakedOptionsRule
from backend.tests.risk.factories import context, held, leg, option, roomy_limits, stock, trade

RULE = NakedOptionsRule()
STRICT = roomy_limits(allow_naked_puts=False)


def codes(t: ProposedTrade, **kw: Any) -> list[str]:
    kw.setdefault("limits", STRICT)
    return [d.code for d in RULE.check(context(t, **kw))]


def test_short_call_alone_denies_with_the_uncovered_shares() -> None:
    [denial] = RULE.check(context(trade(leg(option(500), "SELL"), quantity=2, limit="-1.05"), limits=STRICT))
    assert denial.code == "naked_call"
    assert denial.details["uncovered_shares"] == 200


def test_short_call_covered_by_exactly_enough_stock_passes() -> None:
    t = trade(leg(option(500), "SELL"), quantity=2, limit="-1.05")
    assert codes(t, positions=(held(stock(), 200),)) == []
    assert codes(t, positions=(held(stock(), 199),)) == ["naked_call"]


def test_mini_contract_needs_only_its_multiplier_in_shares() -> None:
    t = trade(leg(option(500, multiplier=10), "SELL"), limit="-1.05")
    assert codes(t, positions=(held(stock(), 10),)) == []


def test_call_vertical_covers_at_any_strike_when_expiry_is_not_earlier() -> None:
    assert codes(trade(leg(option(500), "SELL"), leg(option(495, dte=60)), limit="0")) == []
    assert codes(trade(leg(option(500), "SELL"), leg(option(505)), limit="-1")) == []  # credit spread
    earlier_expiry = trade(leg(option(500), "SELL"), leg(option(495, dte=10)), limit="0")
    assert codes(earlier_expiry) == ["naked_call"]


def test_put_vertical_covers_at_any_strike_when_expiry_is_not_earlier() -> None:
    assert codes(trade(leg(option(500, "P"), "SELL"), leg(option(505, "P")), limit="0")) == []
    assert codes(trade(leg(option(500, "P"), "SELL"), leg(option(495, "P")), limit="-1")) == []
    earlier = trade(leg(option(500, "P"), "SELL"), leg(option(495, "P", dte=10)), limit="-1")
    assert codes(earlier) == ["naked_put"]


def test_long_of_the_other_right_does_not_cover() -> None:
    assert codes(trade(leg(option(500), "SELL"), leg(option(500, "P")), limit="0")) == ["naked_call"]


def test_naked_put_passes_when_allowed() -> None:
    t = trade(leg(option(500, "P"), "SELL"), limit="-1.05")
    assert codes(t, limits=roomy_limits(allow_naked_puts=True)) == []


def test_naked_call_denies_even_when_naked_puts_are_allowed() -> None:
    t = trade(leg(option(500), "SELL"), limit="-1.05")
    assert codes(t, limits=roomy_limits(allow_naked_puts=True)) == ["naked_call"]


def test_each_long_covers_one_short_only() -> None:
    t = trade(leg(option(500), "SELL"), leg(option(505), "SELL"), leg(option(495)), limit="-1")
    assert codes(t) == ["naked_call"]


def test_best_assignment_of_covers_is_found() -> None:
    # Matching the 30-day short to the 60-day long would strand the 60-day short; both are covered.
    positions = (held(option(490), 1), held(option(495, dte=60), 1))
    t = trade(leg(option(495), "SELL"), leg(option(500, dte=60), "SELL"), limit="-1")
    assert codes(t, positions=positions) == []
    assert codes(t, positions=positions[1:]) == ["naked_call"]


def test_selling_the_covering_stock_denies() -> None:
    positions = (held(stock(), 100), held(option(500), -1))
    assert codes(trade(leg(stock(), "SELL"), quantity=50, limit="-500"), positions=positions) == [
        "naked_call"
    ]


def test_buying_back_part_of_an_existing_naked_call_passes() -> None:
    t = trade(leg(option(500)), limit="1.05")
    assert codes(t, positions=(held(option(500), -3),)) == []


def test_unrelated_trade_beside_an_existing_naked_call_passes() -> None:
    t = trade(leg(option(480, "P")), limit="1.05")
    assert codes(t, positions=(held(option(500), -3),)) == []


def test_other_underlyings_stock_does_not_cover() -> None:
    t = trade(leg(option(500), "SELL"), limit="-1.05")
    assert codes(t, positions=(held(stock("QQQ"), 1000),)) == ["naked_call"]
