"""Cap the money one order puts at stake.

Summed over legs, gross (legs never net against each other):
- a stock leg: price x shares;
- a short option leg: strike x multiplier x contracts (what assignment would cost or deliver);
- a long option leg: premium, price x multiplier x contracts.
A leg's price is the (finite) limit price on a one-leg limit order, otherwise the leg's quote mid; a leg
without a price denies (fail closed).
"""

from __future__ import annotations

from decimal import Decimal

from backend.domain.instruments import Option
from backend.domain.orders import OrderType
from backend.risk.context import GateContext
from backend.risk.rule import Denial
from backend.risk.rules._market import leg_mid


class NotionalPerOrderRule:
    """Deny orders whose gross notional exceeds the per-order limit."""

    name = "notional_per_order"

    def check(self, ctx: GateContext) -> list[Denial]:
        """Deny when a leg has no price or the summed notional is above the limit."""
        trade = ctx.trade
        limit_price = trade.limit_price
        one_leg_limit = (
            len(trade.legs) == 1
            and trade.order_type is OrderType.LIMIT
            and limit_price is not None
            and limit_price.is_finite()
        )
        total = Decimal(0)
        for m in trade.legs:
            instrument = m.leg.instrument
            units = abs(trade.signed_units(m.leg))
            if isinstance(instrument, Option) and m.leg.side.sign < 0:
                total += instrument.strike.value * instrument.multiplier * units
                continue
            price = abs(limit_price) if one_leg_limit and limit_price is not None else leg_mid(m)
            if price is None:
                return [
                    Denial(
                        self.name,
                        "no_price",
                        f"No price to value {instrument.key}",
                        {"instrument": instrument.key},
                    )
                ]
            total += price * instrument.multiplier * units
        limit = ctx.limits.max_notional_per_order
        if total <= limit:
            return []
        return [
            Denial(
                self.name,
                "notional_per_order",
                f"Notional {total} exceeds the limit of {limit} per order",
                {"notional": total, "limit": limit},
            )
        ]
