"""Minimum price increments of option orders: a schedule per option class, pennies for complex orders."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from backend.domain.values import round_to_tick

COMBO_TICK = Decimal("0.01")
"""Complex (multi-leg) orders trade in pennies whatever their legs' ticks."""


@dataclass(frozen=True, slots=True)
class TickSchedule:
    """A single-leg option's tick: `below` under `breakpoint` dollars, `above` from it."""

    below: Decimal
    above: Decimal
    breakpoint: Decimal = Decimal(3)

    def tick(self, price: Decimal) -> Decimal:
        """Return the increment a single-leg order at `price` must be a multiple of."""
        return self.below if abs(price) < self.breakpoint else self.above


PENNY_ALL = TickSchedule(Decimal("0.01"), Decimal("0.01"))
"""Pennies at every price (SPY, QQQ, IWM in the US penny interval program)."""
PENNY_PILOT = TickSchedule(Decimal("0.01"), Decimal("0.05"))
"""Pennies under $3, nickels from $3."""
STANDARD = TickSchedule(Decimal("0.05"), Decimal("0.10"))
"""Nickels under $3, dimes from $3."""


def round_order_price(net: Decimal, legs: int, schedule: TickSchedule, *, direction: str) -> Decimal:
    """Round a net limit to a price the venue accepts for an order of `legs` option legs."""
    if legs > 1:
        return round_to_tick(net, COMBO_TICK, direction=direction)
    # Round on the finer tick first, then on the tick that price falls under (it may cross $3).
    rounded = round_to_tick(net, schedule.below, direction=direction)
    return round_to_tick(rounded, schedule.tick(rounded), direction=direction)
