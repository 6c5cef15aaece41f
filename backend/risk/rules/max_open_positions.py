"""Cap how many distinct positions the client holds.

Counts instruments with a non-zero quantity in the book after the trade; denies above
`max_open_positions` only when the trade opens a position that was not held (adding to or
closing existing ones stays possible however full the book is).
"""

from __future__ import annotations

from backend.risk.context import GateContext
from backend.risk.exposure import book_after, book_before
from backend.risk.rule import Denial


class MaxOpenPositionsRule:
    """Deny trades that open a new position past the limit."""

    name = "max_open_positions"

    def check(self, ctx: GateContext) -> list[Denial]:
        """Deny when a new position would make the count exceed the limit."""
        before = book_before(ctx.portfolio)
        after = book_after(ctx.trade, ctx.portfolio)
        opens = any(
            qty != 0 and (key not in before or before[key][1] == 0) for key, (_, qty) in after.items()
        )
        count = sum(1 for _, qty in after.values() if qty != 0)
        limit = ctx.limits.max_open_positions
        if not opens or count <= limit:
            return []
        return [
            Denial(
                self.name,
                "max_open_positions",
                f"{count} open positions would exceed the limit of {limit}",
                {"open_positions": count, "limit": limit},
            )
        ]
