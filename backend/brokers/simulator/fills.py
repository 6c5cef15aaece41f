"""Matching an order against the simulated book, and what it costs in fees.

An order fills at the far side of the book (a buy at the ask, a sell at the bid), never at a worse
price than its limit and never for more than the displayed size; the rest keeps working and meets
fresh size on later grid steps. A combo's natural price is the signed sum of its legs' far sides:
buying the combo buys its bought legs at their asks and sells its sold legs at their bids, selling
the combo does the reverse, and its displayed size is the smallest leg size over its ratio. A zero
bid means nobody is bidding, so nothing can be sold there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from backend.brokers.base import Quote
from backend.brokers.simulator.config import CommissionSchedule
from backend.domain.instruments import Combo, Instrument, Side, SingleInstrument, Stock
from backend.domain.orders import OrderType

_ZERO = Decimal(0)
_TICK4 = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class LegTerms:
    """A leg's part of a match: which instrument, which way, how many per unit, at what price."""

    instrument: SingleInstrument
    side: Side
    ratio: int
    price: Decimal
    size: Decimal


@dataclass(frozen=True, slots=True)
class Match:
    """The price an order can trade at now and how many units are shown there."""

    price: Decimal
    available: Decimal
    legs: tuple[LegTerms, ...]


def legs_of(instrument: Instrument, side: Side) -> list[tuple[SingleInstrument, Side, int]]:
    """Return the (instrument, side, ratio) each unit of an order trades."""
    if isinstance(instrument, Combo):
        return [
            (leg.instrument, leg.side if side is Side.BUY else leg.side.opposite, leg.ratio)
            for leg in instrument.legs
        ]
    return [(instrument, side, 1)]


def natural(instrument: Instrument, side: Side, quotes: Sequence[Quote]) -> Match | None:
    """Return the far-side price and size for one unit, or ``None`` if a leg has no market."""
    terms: list[LegTerms] = []
    signed_total = _ZERO
    available: Decimal | None = None
    for (leg, leg_side, ratio), quote in zip(legs_of(instrument, side), quotes, strict=True):
        if leg_side is Side.BUY:
            price, size = quote.ask, quote.ask_size
        else:
            price, size = quote.bid, quote.bid_size
        if price is None or size is None or price.value <= 0 or size.value <= 0:
            return None
        terms.append(LegTerms(leg, leg_side, ratio, price.value, size.value))
        # The combo's price is its value as defined (bought legs plus, sold legs minus).
        signed_total += price.value * ratio * (leg_side.sign * side.sign)
        leg_units = (size.value / ratio).to_integral_value(rounding=ROUND_FLOOR)
        available = leg_units if available is None else min(available, leg_units)
    if available is None or available <= 0:
        return None
    return Match(signed_total, available, tuple(terms))


def is_marketable(order_type: OrderType, side: Side, limit: Decimal | None, match: Match) -> bool:
    """Tell whether the order's limit reaches the natural price."""
    if order_type is OrderType.MARKET or limit is None:
        return True
    return match.price <= limit if side is Side.BUY else match.price >= limit


def improvement(side: Side, limit: Decimal, natural_price: Decimal, mid: Decimal) -> float | None:
    """Return how far a resting limit sits from mid towards the natural price (0 at mid, 1 at natural).

    None when it is not between them (behind mid, or already marketable).
    """
    gap = natural_price - mid if side is Side.BUY else mid - natural_price
    offered = limit - mid if side is Side.BUY else mid - limit
    if gap <= 0 or offered < 0 or offered >= gap:
        return None
    return float(offered / gap)


def at_limit(match: Match, mids: Sequence[Decimal], side: Side, limit: Decimal) -> Match:
    """Return the match re-priced to fill at `limit`: every leg moved from its far side towards its mid.

    One fraction for every leg keeps the legs' signed sum equal to the limit; the rounding residue
    goes to the first leg.
    """
    natural_mid = sum(
        (m * t.ratio * (t.side.sign * side.sign) for m, t in zip(mids, match.legs, strict=True)), _ZERO
    )
    toward_mid = (match.price - limit) / (match.price - natural_mid)
    legs = [
        LegTerms(
            t.instrument, t.side, t.ratio, (t.price + (m - t.price) * toward_mid).quantize(_TICK4), t.size
        )
        for m, t in zip(mids, match.legs, strict=True)
    ]
    total = sum((t.price * t.ratio * (t.side.sign * side.sign) for t in legs), _ZERO)
    first = legs[0]
    residue = (limit - total) / (first.ratio * first.side.sign * side.sign)
    legs[0] = LegTerms(first.instrument, first.side, first.ratio, first.price + residue, first.size)
    return Match(limit, match.available, tuple(legs))


def cumulative_commission(
    schedule: CommissionSchedule, instrument: Instrument, filled_units: Decimal, filled_value: Decimal
) -> Decimal:
    """Return the fee due on an order after ``filled_units`` (a minimum applies per order)."""
    if filled_units <= 0:
        return _ZERO
    if isinstance(instrument, Stock):
        fee = max(schedule.stock_minimum, schedule.per_share * filled_units)
        return min(fee, max(schedule.stock_minimum, schedule.stock_maximum_rate * abs(filled_value)))
    contracts_per_unit = sum(leg.ratio for leg in instrument.legs) if isinstance(instrument, Combo) else 1
    return max(schedule.option_minimum, schedule.per_contract * contracts_per_unit * filled_units)
