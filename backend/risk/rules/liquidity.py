"""Trade options only where there is a market: a tight spread, open interest, volume.

Per option leg. Every leg needs a usable quote (see `_market`). A leg that opens or adds to a
position also needs (ask - bid) / mid <= `max_spread_pct` (a zero mid denies), open interest
>= `min_open_interest` and volume >= `min_volume`, where missing open interest or volume denies
unless its minimum is 0. A leg that only reduces its position skips spread, open interest and
volume: getting out of risk, e.g. buying back a nearly worthless short at 0.05, must stay possible.
"""

from __future__ import annotations

from backend.domain.instruments import Option
from backend.risk.context import GateContext, LegMarket
from backend.risk.exposure import leg_reduces_in
from backend.risk.rule import Denial
from backend.risk.rules._market import quote_denial


class LiquidityRule:
    """Deny option legs without a usable quote, or opening legs into an illiquid market."""

    name = "liquidity"

    def check(self, ctx: GateContext) -> list[Denial]:
        """Deny every illiquid option leg."""
        out: list[Denial] = []
        for m in ctx.trade.legs:
            if not isinstance(m.leg.instrument, Option):
                continue
            problem = quote_denial(self.name, m, ctx)
            if problem is not None:
                out.append(problem)
            elif not leg_reduces_in(ctx.trade, ctx.portfolio, m):
                out.extend(self._market(m, ctx))
        return out

    def _market(self, m: LegMarket, ctx: GateContext) -> list[Denial]:
        quote = m.quote
        if quote is None or quote.bid is None or quote.ask is None:  # quote_denial let it through
            return [
                Denial(self.name, "missing_quote", "No two-sided quote", {"instrument": m.leg.instrument.key})
            ]
        key = m.leg.instrument.key
        limits = ctx.limits
        out: list[Denial] = []
        mid = (quote.bid.value + quote.ask.value) / 2
        spread = None if mid <= 0 else (quote.ask.value - quote.bid.value) / mid
        if spread is None or spread > limits.max_spread_pct:
            out.append(
                Denial(
                    self.name,
                    "wide_spread",
                    f"{key} spread is too wide",
                    {"instrument": key, "spread_pct": spread, "limit": limits.max_spread_pct},
                )
            )
        oi = quote.open_interest
        if limits.min_open_interest > 0 and (oi is None or oi.value < limits.min_open_interest):
            out.append(
                Denial(
                    self.name,
                    "open_interest",
                    f"{key} open interest {oi} is below {limits.min_open_interest}",
                    {"instrument": key, "open_interest": oi, "limit": limits.min_open_interest},
                )
            )
        volume = quote.volume
        if limits.min_volume > 0 and (volume is None or volume.value < limits.min_volume):
            out.append(
                Denial(
                    self.name,
                    "volume",
                    f"{key} volume {volume} is below {limits.min_volume}",
                    {"instrument": key, "volume": volume, "limit": limits.min_volume},
                )
            )
        return out
