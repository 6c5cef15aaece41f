"""Stop opening new risk once today's loss reaches the client's limit."""

from __future__ import annotations

from backend.risk.context import GateContext
from backend.risk.exposure import reduces_risk
from backend.risk.rule import Denial


class DailyLossRule:
    """Deny opening trades when daily P&L is at or below minus the daily loss limit."""

    name = "daily_loss"

    def check(self, ctx: GateContext) -> list[Denial]:
        """Deny unless the loss is within the limit or the trade only reduces positions."""
        pnl = ctx.portfolio.daily_pnl
        limit = ctx.limits.max_daily_loss
        if pnl > -limit or reduces_risk(ctx.trade, ctx.portfolio):
            return []
        return [
            Denial(
                self.name,
                "daily_loss",
                f"Today's P&L {pnl} has reached the loss limit of {limit}",
                {"daily_pnl": pnl, "limit": limit},
            )
        ]
