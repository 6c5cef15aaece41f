"""Refuse malformed trades before any limit is weighed: sizes, prices, legs."""

from __future__ import annotations

from backend.domain.orders import OrderType
from backend.risk.context import GateContext
from backend.risk.rule import Denial

MAX_UNITS = 100_000
"""No sane order trades more units; past this it is a typo or an overflow."""
MAX_LEG_UNITS = 1_000_000
"""Shares or contracts of one instrument in one order (quantity x ratio)."""


class TradeShapeRule:
    """Check the trade is well formed: positive sane sizes, a coherent price, distinct legs."""

    name = "trade_shape"

    def check(self, ctx: GateContext) -> list[Denial]:
        """Deny every malformation found."""
        trade = ctx.trade
        out: list[Denial] = []
        if not trade.legs:
            out.append(Denial(self.name, "no_legs", "The trade has no legs"))
        if not 0 < trade.quantity <= MAX_UNITS:
            out.append(
                Denial(
                    self.name,
                    "bad_quantity",
                    f"The quantity must be between 1 and {MAX_UNITS}",
                    {"quantity": trade.quantity, "limit": MAX_UNITS},
                )
            )
        for m in trade.legs:
            units = abs(trade.signed_units(m.leg))
            if units > MAX_LEG_UNITS:
                out.append(
                    Denial(
                        self.name,
                        "bad_quantity",
                        f"{units} of {m.leg.instrument.key} in one order is not sane",
                        {"instrument": m.leg.instrument.key, "units": units, "limit": MAX_LEG_UNITS},
                    )
                )
            if m.leg.instrument.underlying != trade.underlying:
                out.append(
                    Denial(
                        self.name,
                        "wrong_underlying",
                        f"Leg {m.leg.instrument.key} is not on {trade.underlying}",
                        {"instrument": m.leg.instrument.key, "underlying": trade.underlying},
                    )
                )
        keys = [m.leg.instrument.key for m in trade.legs]
        if len(set(keys)) != len(keys):
            out.append(Denial(self.name, "duplicate_legs", "Two legs trade the same instrument"))
        out.extend(self._price(ctx))
        return out

    def _price(self, ctx: GateContext) -> list[Denial]:
        trade = ctx.trade
        price = trade.limit_price
        if trade.order_type is OrderType.MARKET:
            if price is not None:
                return [Denial(self.name, "bad_limit_price", "A market order takes no limit price")]
            return []
        if price is None or not price.is_finite():
            return [
                Denial(
                    self.name,
                    "bad_limit_price",
                    "A limit order needs a finite limit price",
                    {"limit_price": price},
                )
            ]
        sides = {m.leg.side.sign for m in trade.legs}
        # Only buying pays (debit, >= 0) and only selling receives (credit, <= 0); anything else
        # is a sign mistake that would cross the market.
        if (sides == {1} and price < 0) or (sides == {-1} and price > 0):
            return [
                Denial(
                    self.name,
                    "limit_price_sign",
                    "The limit price's sign does not match the legs' sides",
                    {"limit_price": price},
                )
            ]
        return []
