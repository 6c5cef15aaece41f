"""Pure helpers the rules share: does a trade reduce risk, what would positions be after it."""

from __future__ import annotations

from decimal import Decimal

from backend.domain.instruments import Option, Stock
from backend.risk.context import LegMarket, Portfolio, ProposedTrade


def position_after(trade: ProposedTrade, portfolio: Portfolio) -> dict[str, Decimal]:
    """Return the signed quantity of each traded instrument once the trade fills."""
    return {
        m.leg.instrument.key: portfolio.quantity_of(m.leg.instrument.key) + trade.signed_units(m.leg)
        for m in trade.legs
    }


def reduces_risk(trade: ProposedTrade, portfolio: Portfolio) -> bool:
    """Tell whether every leg moves an existing position toward zero without crossing it."""
    for market in trade.legs:
        held = portfolio.quantity_of(market.leg.instrument.key)
        change = Decimal(trade.signed_units(market.leg))
        after = held + change
        if (
            held == 0
            or (held > 0) != (change < 0)
            or abs(after) > abs(held)
            or (after != 0 and (after > 0) != (held > 0))
        ):
            return False
    return True


Book = dict[str, tuple[Stock | Option, Decimal]]
"""Instrument key -> (instrument, signed quantity)."""


def book_before(portfolio: Portfolio) -> Book:
    """Return the held instruments with their summed signed quantities."""
    book: Book = {}
    for p in portfolio.positions:
        held = book.get(p.instrument.key)
        book[p.instrument.key] = (p.instrument, p.quantity + (held[1] if held else Decimal(0)))
    return book


def book_after(trade: ProposedTrade, portfolio: Portfolio) -> Book:
    """Return the book once every leg of the trade has filled."""
    book = book_before(portfolio)
    for m in trade.legs:
        key = m.leg.instrument.key
        held = book[key][1] if key in book else Decimal(0)
        book[key] = (m.leg.instrument, held + trade.signed_units(m.leg))
    return book


def leg_reduces(held: Decimal, change: Decimal) -> bool:
    """Tell whether a change moves a held quantity toward zero without crossing it."""
    return held != 0 and change != 0 and (held > 0) != (change > 0) and abs(change) <= abs(held)


def leg_reduces_in(trade: ProposedTrade, portfolio: Portfolio, market: LegMarket) -> bool:
    """Tell whether this leg of the trade only reduces the position it trades."""
    held = portfolio.quantity_of(market.leg.instrument.key)
    return leg_reduces(held, Decimal(trade.signed_units(market.leg)))
