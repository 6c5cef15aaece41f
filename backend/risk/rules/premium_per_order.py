"""Cap the option premium one order pays or takes in.

Options only: |net price| x multiplier x quantity, the net price being the limit price, or the
net mid for a market order. With stock legs in the order (a buy-write) the net price mixes shares
and contracts, so the premium is the option legs' gross |mid| x multiplier x contracts instead.
Orders without option legs pass (the notional rule caps them). A missing price denies.
"""

from __future__ import annotations

from decimal import Decimal

from backend.domain.instruments import Option
from backend.risk.context import GateContext
from backend.risk.rule import Denial
from backend.risk.rules._market import leg_mid, net_mid


class PremiumPerOrderRule:
    """Deny orders whose option premium exceeds the per-order limit."""

    name = "premium_per_order"

    def check(self, ctx: GateContext) -> list[Denial]:
        """Deny when the premium cannot be priced or is above the limit."""
        trade = ctx.trade
        options = trade.options
        if not options:
            return []
        premium: Decimal | None
        if len(options) == len(trade.legs):
            price = trade.limit_price if trade.limit_price is not None else net_mid(trade)
            multiplier = max(option.multiplier for _, option in options)
            ok = price is not None and price.is_finite()
            premium = abs(price) * multiplier * trade.quantity if ok and price is not None else None
        else:
            premium = Decimal(0)
            for m in trade.legs:
                if not isinstance(m.leg.instrument, Option):
                    continue
                mid = leg_mid(m)
                if mid is None:
                    premium = None
                    break
                premium += mid * m.leg.instrument.multiplier * abs(trade.signed_units(m.leg))
        if premium is None:
            return [Denial(self.name, "no_price", "No price to value the option premium")]
        limit = ctx.limits.max_premium_per_order
        if premium <= limit:
            return []
        return [
            Denial(
                self.name,
                "premium_per_order",
                f"Premium {premium} exceeds the limit of {limit} per order",
                {"premium": premium, "limit": limit},
            )
        ]
