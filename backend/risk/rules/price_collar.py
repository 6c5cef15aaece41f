"""Keep limit prices near the market, and market orders to a real market.

Every leg needs a usable quote (present, for its instrument, two-sided, fresh; see `_market`),
whatever the order type: a market order still needs a market. A limit order's net limit price
must then lie within `price_collar_pct` x |net mid| of the net mid, plus one cent so that a
zero-cost combo (net mid 0) can be priced at all.
"""

from __future__ import annotations

from decimal import Decimal

from backend.domain.orders import OrderType
from backend.risk.context import GateContext
from backend.risk.rule import Denial
from backend.risk.rules._market import net_mid, quote_denial

MIN_COLLAR = Decimal("0.01")


class PriceCollarRule:
    """Deny stale, missing or one-sided quotes, and limit prices outside the collar."""

    name = "price_collar"

    def check(self, ctx: GateContext) -> list[Denial]:
        """Deny every unusable leg quote, then a limit price too far from the net mid."""
        out = [d for m in ctx.trade.legs if (d := quote_denial(self.name, m, ctx)) is not None]
        if out or ctx.trade.order_type is not OrderType.LIMIT:
            return out
        limit = ctx.trade.limit_price
        mid = net_mid(ctx.trade)
        if limit is None or not limit.is_finite() or mid is None:
            return [Denial(self.name, "bad_limit_price", "No finite limit price to collar")]
        band = ctx.limits.price_collar_pct * abs(mid) + MIN_COLLAR
        if abs(limit - mid) <= band:
            return []
        return [
            Denial(
                self.name,
                "outside_collar",
                f"Limit {limit} is more than {band} from the net mid {mid}",
                {
                    "limit_price": limit,
                    "net_mid": mid,
                    "band": band,
                    "collar_pct": ctx.limits.price_collar_pct,
                },
            )
        ]
