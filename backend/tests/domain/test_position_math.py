"""Fills move positions: averages, realised P&L with the multiplier, flips through zero."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from backend.domain.position_math import Holding, apply_fill

D = Decimal


def test_adding_averages_the_cost() -> None:
    held = apply_fill(apply_fill(Holding(), D(2), D("3.00"), 100), D(2), D("4.00"), 100)
    assert held == Holding(D(4), D("3.50"), D(0))


def test_closing_a_long_realises_with_the_multiplier() -> None:
    held = apply_fill(Holding(D(2), D("3.00"), D(0)), D(-1), D("5.00"), 100)
    assert held == Holding(D(1), D("3.00"), D("200.00"))


def test_closing_a_short_put_for_less_is_a_gain() -> None:
    short = apply_fill(Holding(), D(-1), D("3.25"), 100)
    assert short == Holding(D(-1), D("3.25"), D(0))
    assert apply_fill(short, D(1), D("1.00"), 100) == Holding(D(0), D(0), D("225.00"))


def test_going_through_zero_opens_the_rest_at_the_fill_price() -> None:
    held = apply_fill(Holding(D(100), D("10"), D(0)), D(-150), D("12"), 1)
    assert held == Holding(D(-50), D("12"), D("200"))


quantities = st.integers(-50, 50).map(Decimal)
prices = st.integers(1, 100_000).map(lambda cents: Decimal(cents) / 100)


@given(st.lists(st.tuples(quantities, prices), max_size=20))
def test_a_round_trip_back_to_flat_realises_the_cash_difference(fills: list[tuple[Decimal, Decimal]]) -> None:
    holding, cash = Holding(), D(0)
    for quantity, price in fills:
        holding = apply_fill(holding, quantity, price, 100)
        cash -= quantity * price * 100
    if holding.quantity:
        close_price = D("7.77")
        cash += holding.quantity * close_price * 100
        holding = apply_fill(holding, -holding.quantity, close_price, 100)
    assert holding.quantity == 0
    assert abs(holding.realized_pnl - cash) < D("1e-12")
