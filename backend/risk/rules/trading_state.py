"""HALTED sends nothing new (exits only where the operator allows); REDUCING only lowers risk."""

from __future__ import annotations

from backend.risk.context import GateContext, TradingMode
from backend.risk.exposure import reduces_risk
from backend.risk.rule import Denial


class TradingStateRule:
    """Deny by the effective trading state."""

    name = "trading_state"

    def check(self, ctx: GateContext) -> list[Denial]:
        """Deny opening trades unless ACTIVE, and everything when HALTED without reduce-only exits."""
        state = ctx.trading.effective
        if state is TradingMode.ACTIVE:
            return []
        reducing = reduces_risk(ctx.trade, ctx.portfolio)
        if state is TradingMode.HALTED and not (reducing and ctx.trading.reduce_only_allowed):
            return [Denial(self.name, "trading_halted", "Trading is halted", {"state": state.value})]
        if not reducing:
            return [
                Denial(
                    self.name,
                    "reduce_only",
                    "Only trades that reduce positions are allowed now",
                    {"state": state.value},
                )
            ]
        return []
