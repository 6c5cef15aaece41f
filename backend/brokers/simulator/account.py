"""One simulated account's books: cash, positions at average cost, realised P&L and fees.

Realised P&L per position is trading P&L only; commissions are kept apart and subtracted at the
account level, so ``realized_pnl`` of the account is what the trades made after fees.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from backend.brokers.simulator.codec import decode_single, encode_instrument
from backend.domain.instruments import SingleInstrument

_ZERO = Decimal(0)


@dataclass
class Holding:
    """A position: signed quantity, average cost per unit (before multiplier) and realised P&L."""

    instrument: SingleInstrument
    quantity: Decimal = _ZERO
    average_cost: Decimal = _ZERO
    realized: Decimal = _ZERO


class Ledger:
    """Cash and holdings, moved only by ``book_trade`` and ``book_cash``."""

    def __init__(self, cash: Decimal) -> None:
        self.cash = cash
        self.holdings: dict[str, Holding] = {}
        self.commissions = _ZERO
        self.closed_realized = _ZERO
        """Realised P&L of positions that have since gone flat and been dropped."""

    def book_trade(
        self, instrument: SingleInstrument, quantity: Decimal, price: Decimal, commission: Decimal
    ) -> Decimal:
        """Book a signed trade (positive buys) at ``price`` per unit; return the P&L it realised."""
        multiplier = instrument.multiplier
        self.cash -= quantity * price * multiplier + commission
        self.commissions += commission
        holding = self.holdings.setdefault(instrument.key, Holding(instrument))
        realized = _ZERO
        old = holding.quantity
        if old == 0 or (old > 0) == (quantity > 0):
            total = old + quantity
            holding.average_cost = (old * holding.average_cost + quantity * price) / total
            holding.quantity = total
        else:
            closing = min(abs(quantity), abs(old))
            direction = 1 if old > 0 else -1
            realized = closing * (price - holding.average_cost) * multiplier * direction
            holding.realized += realized
            holding.quantity = old + quantity
            if holding.quantity != 0 and (holding.quantity > 0) != (old > 0):
                holding.average_cost = price
        if holding.quantity == 0:
            holding.average_cost = _ZERO
            self.closed_realized += holding.realized
            del self.holdings[instrument.key]
        return realized

    def book_cash(self, amount: Decimal) -> None:
        """Add (or, negative, take) cash outside a trade."""
        self.cash += amount

    def quantity(self, key: str) -> Decimal:
        """Return the signed quantity held of instrument ``key``."""
        holding = self.holdings.get(key)
        return holding.quantity if holding else _ZERO

    @property
    def realized(self) -> Decimal:
        """Return realised trading P&L of every position ever held, before fees."""
        return self.closed_realized + sum((h.realized for h in self.holdings.values()), _ZERO)

    def copy(self) -> Ledger:
        """Return an independent copy, for what-if checks."""
        twin = Ledger(self.cash)
        twin.commissions = self.commissions
        twin.closed_realized = self.closed_realized
        twin.holdings = {
            key: Holding(h.instrument, h.quantity, h.average_cost, h.realized)
            for key, h in self.holdings.items()
        }
        return twin

    def snapshot(self) -> dict[str, Any]:
        """Return the books as JSON-serialisable data."""
        return {
            "cash": str(self.cash),
            "commissions": str(self.commissions),
            "closed_realized": str(self.closed_realized),
            "holdings": [
                {
                    "instrument": encode_instrument(h.instrument),
                    "quantity": str(h.quantity),
                    "average_cost": str(h.average_cost),
                    "realized": str(h.realized),
                }
                for h in self.holdings.values()
            ],
        }

    @classmethod
    def restore(cls, data: dict[str, Any]) -> Ledger:
        """Rebuild the books from ``snapshot`` output."""
        ledger = cls(Decimal(data["cash"]))
        ledger.commissions = Decimal(data["commissions"])
        ledger.closed_realized = Decimal(data["closed_realized"])
        for item in data["holdings"]:
            instrument = decode_single(item["instrument"])
            ledger.holdings[instrument.key] = Holding(
                instrument,
                Decimal(item["quantity"]),
                Decimal(item["average_cost"]),
                Decimal(item["realized"]),
            )
        return ledger
