"""Throttle order submissions per client (a runaway loop stops here)."""

from __future__ import annotations

from backend.risk.context import GateContext
from backend.risk.rule import Denial


class OrderRateRule:
    """Deny once the client has sent the allowed number of orders in the last minute."""

    name = "order_rate"

    def check(self, ctx: GateContext) -> list[Denial]:
        """Deny when orders in the last minute have reached the limit, reducing trades included."""
        count = ctx.orders_last_minute
        limit = ctx.limits.max_orders_per_minute
        if count < limit:
            return []
        return [
            Denial(
                self.name,
                "order_rate",
                f"{count} orders in the last minute reach the limit of {limit}",
                {"orders_last_minute": count, "limit": limit},
            )
        ]
