"""How a fill moves a position: signed quantity, average cost, realised P&L (pure, Decimal)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Holding:
    """A signed quantity (negative is short), its average price per unit, and P&L realised so far.

    Realised P&L is gross of commissions (fills keep theirs) and includes the multiplier.
    """

    quantity: Decimal = _ZERO
    average_cost: Decimal = _ZERO
    realized_pnl: Decimal = _ZERO


def apply_fill(holding: Holding, signed_quantity: Decimal, price: Decimal, multiplier: int) -> Holding:
    """Return the holding after buying (+) or selling (-) `signed_quantity` at `price`."""
    if signed_quantity == 0:
        return holding
    held = holding.quantity
    if held == 0 or (held > 0) == (signed_quantity > 0):
        # Opening or adding: the average is weighted by size.
        quantity = held + signed_quantity
        cost = holding.average_cost * abs(held) + price * abs(signed_quantity)
        return Holding(quantity, cost / abs(quantity), holding.realized_pnl)
    closed = min(abs(signed_quantity), abs(held))
    direction = 1 if held > 0 else -1
    realized = holding.realized_pnl + closed * (price - holding.average_cost) * direction * multiplier
    quantity = held + signed_quantity
    if quantity == 0:
        return Holding(_ZERO, _ZERO, realized)
    if (quantity > 0) == (held > 0):
        return Holding(quantity, holding.average_cost, realized)
    # Went through zero: what is left was opened at this fill's price.
    return Holding(quantity, price, realized)
