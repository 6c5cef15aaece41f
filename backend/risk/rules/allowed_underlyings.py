"""Trade only the underlyings the client allows, when it names any."""

from __future__ import annotations

from backend.risk.context import GateContext
from backend.risk.rule import Denial


class AllowedUnderlyingsRule:
    """Deny underlyings outside the client's allowed set (no set: all allowed)."""

    name = "allowed_underlyings"

    def check(self, ctx: GateContext) -> list[Denial]:
        """Deny when the trade or any leg is on an underlying outside the set."""
        allowed = ctx.limits.allowed_underlyings
        if allowed is None:
            return []
        upper = {s.upper() for s in allowed}
        used = {ctx.trade.underlying.upper()} | {m.leg.instrument.underlying for m in ctx.trade.legs}
        refused = sorted(used - upper)
        if not refused:
            return []
        return [
            Denial(
                self.name,
                "underlying_not_allowed",
                f"{', '.join(refused)} not in the allowed underlyings",
                {"underlyings": ",".join(refused), "allowed": ",".join(sorted(upper))},
            )
        ]
