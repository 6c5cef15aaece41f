"""The Reg-T-like margin model and the account books it reads."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from backend.brokers.simulator.account import Ledger
from backend.brokers.simulator.config import AccountType
from backend.brokers.simulator.margin import margin_requirement
from backend.domain.instruments import Option, OptionRight, SingleInstrument, Stock
from backend.domain.values import Price

EXPIRY = date(2026, 6, 19)
SPOT = {"XYZ": Decimal(100)}


def call(strike: int) -> Option:
    return Option("XYZ", EXPIRY, Price.of(strike), OptionRight.CALL)


def put(strike: int) -> Option:
    return Option("XYZ", EXPIRY, Price.of(strike), OptionRight.PUT)


def requirement(
    positions: list[tuple[SingleInstrument, int]],
    marks: dict[str, str],
    account: AccountType = AccountType.MARGIN,
    cash_secured: bool = False,
) -> tuple[Decimal, tuple[str, ...]]:
    result = margin_requirement(
        [(i, Decimal(q)) for i, q in positions],
        {k: Decimal(v) for k, v in marks.items()},
        SPOT,
        account,
        cash_secured,
    )
    return result.requirement, result.violations


def test_long_option_needs_its_full_value() -> None:
    assert requirement([(call(100), 2)], {call(100).key: "3.00"})[0] == Decimal(600)


def test_credit_spread_holds_width_less_its_value() -> None:
    marks = {call(100).key: "3.00", call(105).key: "1.00"}
    # Short 100C, long 105C: worst loss 5.00; net liquidation already owes 2.00.
    assert requirement([(call(100), -1), (call(105), 1)], marks)[0] == Decimal(300)


def test_debit_spread_holds_only_its_debit() -> None:
    marks = {call(100).key: "3.00", call(105).key: "1.00"}
    assert requirement([(call(100), 1), (call(105), -1)], marks)[0] == Decimal(200)


def test_covered_call_needs_nothing_beyond_the_stock() -> None:
    stock = Stock("XYZ")
    marks = {stock.key: "100", call(110).key: "1.00"}
    total, violations = requirement([(stock, 100), (call(110), -1)], marks)
    assert total == Decimal(5000)  # 50% of the stock
    assert violations == ()


def test_naked_call_uses_twenty_percent_less_out_of_the_money() -> None:
    # 20% x 100 - 10 OTM = 10 > 10% x 100 = 10, times 100 shares.
    assert requirement([(call(110), -1)], {call(110).key: "1.00"})[0] == Decimal(1000)
    # Far out of the money the 10% floor applies.
    assert requirement([(call(150), -1)], {call(150).key: "0.05"})[0] == Decimal(1000)


@pytest.mark.parametrize(("cash_secured", "expected"), [(False, Decimal(1000)), (True, Decimal(8900))])
def test_short_put_is_margined_or_cash_secured(cash_secured: bool, expected: Decimal) -> None:
    # Margin: max(20 - 10 OTM, 10% of 90 = 9) = 10 a share. Cash-secured: strike 90 less the 1.00 mark.
    assert requirement([(put(90), -1)], {put(90).key: "1.00"}, cash_secured=cash_secured)[0] == expected


def test_cash_account_refuses_naked_calls_and_short_stock() -> None:
    stock = Stock("XYZ")
    _, violations = requirement([(call(110), -1), (stock, -10)], {call(110).key: "1", stock.key: "100"},
                                AccountType.CASH)  # fmt: skip
    assert len(violations) == 2


def test_ledger_tracks_average_cost_and_realises_on_reduction_and_flip() -> None:
    ledger = Ledger(Decimal(10_000))
    option = call(100)
    ledger.book_trade(option, Decimal(2), Decimal("1.00"), Decimal("1.30"))
    ledger.book_trade(option, Decimal(2), Decimal("2.00"), Decimal("1.30"))
    assert ledger.holdings[option.key].average_cost == Decimal("1.5")
    realized = ledger.book_trade(option, Decimal(-3), Decimal("3.00"), Decimal("1.95"))
    assert realized == Decimal(450)  # 3 x (3.00 - 1.50) x 100
    ledger.book_trade(option, Decimal(-2), Decimal("2.50"), Decimal("1.30"))
    holding = ledger.holdings[option.key]
    assert (holding.quantity, holding.average_cost) == (Decimal(-1), Decimal("2.50"))
    assert ledger.cash == Decimal(10_000) - 200 - 400 + 900 + 500 - Decimal("5.85")


def test_ledger_snapshot_round_trips_through_json() -> None:
    import json

    ledger = Ledger(Decimal("1234.56"))
    ledger.book_trade(put(90), Decimal(-1), Decimal("1.10"), Decimal("0.65"))
    ledger.book_trade(Stock("XYZ"), Decimal(10), Decimal("99.99"), Decimal(1))
    twin = Ledger.restore(json.loads(json.dumps(ledger.snapshot())))
    assert twin.snapshot() == ledger.snapshot()
