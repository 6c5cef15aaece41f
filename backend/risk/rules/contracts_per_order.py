"""No order for more contracts than the client allows."""

from __future__ import annotations

from backend.risk.context import GateContext
from backend.risk.rule import Denial


class ContractsPerOrderRule:
    """Cap the option contracts one order trades, across its legs."""

    name = "contracts_per_order"

    def check(self, ctx: GateContext) -> list[Denial]:
        """Deny when the option legs trade more contracts than the limit."""
        contracts = sum(abs(ctx.trade.signed_units(leg)) for leg, _ in ctx.trade.options)
        limit = ctx.limits.max_contracts_per_order
        if ctx.trade.quantity <= 0:
            return [
                Denial(
                    self.name,
                    "bad_quantity",
                    "The quantity must be positive",
                    {"quantity": ctx.trade.quantity},
                )
            ]
        if contracts > limit:
            return [
                Denial(
                    self.name,
                    "too_many_contracts",
                    f"{contracts} contracts exceed the limit of {limit} per order",
                    {"contracts": contracts, "limit": limit},
                )
            ]
        return []
