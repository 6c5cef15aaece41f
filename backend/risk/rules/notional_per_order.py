"""Cap the money one order puts at stake.

Summed over legs:
- a stock leg: price x shares;
- a short option leg: strike x multiplier x contracts (what assignment would cost or deliver),
  except the contracts covered in the same order by a long option of the same right expiring no
  earlier, which count their spread width x multiplier (what the pair can cost at most): a
  vertical or calendar is defined risk and must not be valued like two naked legs;
- a long option leg: premium, price x multiplier x contracts.
A leg's price is the (finite) limit price on a one-leg limit order, otherwise the leg's quote mid; a leg
without a price denies (fail closed).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from backend.domain.instruments import Option
from backend.domain.orders import OrderType
from backend.risk.context import GateContext, LegMarket, ProposedTrade
from backend.risk.rule import Denial
from backend.risk.rules._market import leg_mid


def _long_options(legs: tuple[LegMarket, ...], trade: ProposedTrade) -> list[list[Any]]:
    """Return [option, units still free to cover] for each long option leg of the order."""
    return [
        [m.leg.instrument, abs(trade.signed_units(m.leg))]
        for m in legs
        if isinstance(m.leg.instrument, Option) and m.leg.side.sign > 0
    ]


def _short_notional(short: Option, units: int, covers: list[list[Any]]) -> Decimal:
    """Value a short option leg: covered contracts at the spread width, the rest at the strike."""
    notional = Decimal(0)
    remaining = units
    # The nearest strike first: the narrowest width is the tightest honest bound.
    candidates = sorted(
        (c for c in covers if c[0].right is short.right and c[0].expiry >= short.expiry and c[1] > 0),
        key=lambda c: abs(c[0].strike.value - short.strike.value),
    )
    for cover in candidates:
        if remaining == 0:
            break
        used = min(remaining, cover[1])
        cover[1] -= used
        remaining -= used
        notional += abs(cover[0].strike.value - short.strike.value) * short.multiplier * used
    return notional + short.strike.value * short.multiplier * remaining


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
        covers = _long_options(trade.legs, trade)
        for m in trade.legs:
            instrument = m.leg.instrument
            units = abs(trade.signed_units(m.leg))
            if isinstance(instrument, Option) and m.leg.side.sign < 0:
                total += _short_notional(instrument, units, covers)
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
