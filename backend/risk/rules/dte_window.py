"""Open options only inside the client's days-to-expiry window; never trade expired ones.

Days to expiry = expiry - `ctx.today` (the exchange date). An expired option (DTE < 0) denies on
any leg. A leg that opens or adds to a position must have min_dte <= DTE <= max_dte; a leg that
only reduces its position may be any DTE (closing near expiry is the point).
"""

from __future__ import annotations

from backend.domain.instruments import Option
from backend.risk.context import GateContext
from backend.risk.exposure import leg_reduces_in
from backend.risk.rule import Denial


class DteWindowRule:
    """Deny expired options and opening legs outside [min_dte, max_dte]."""

    name = "dte_window"

    def check(self, ctx: GateContext) -> list[Denial]:
        """Deny every leg whose expiry is out of bounds."""
        out: list[Denial] = []
        low, high = ctx.limits.min_dte, ctx.limits.max_dte
        for m in ctx.trade.legs:
            option = m.leg.instrument
            if not isinstance(option, Option):
                continue
            dte = (option.expiry - ctx.today).days
            details = {"instrument": option.key, "dte": dte, "min_dte": low, "max_dte": high}
            if dte < 0:
                out.append(Denial(self.name, "expired", f"{option.key} has expired", details))
            elif not low <= dte <= high and not leg_reduces_in(ctx.trade, ctx.portfolio, m):
                out.append(
                    Denial(
                        self.name,
                        "dte_window",
                        f"{option.key} expires in {dte} days, outside {low}-{high}",
                        details,
                    )
                )
        return out
