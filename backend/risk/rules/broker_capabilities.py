"""Offer only what the client's broker can execute, saying why instead of failing at the broker."""

from __future__ import annotations

from backend.domain.orders import OrderType, TimeInForce
from backend.risk.context import GateContext
from backend.risk.rule import Denial


class BrokerCapabilitiesRule:
    """Deny options, combos, market orders or GTC where the broker does not support them."""

    name = "broker_capabilities"

    def check(self, ctx: GateContext) -> list[Denial]:
        """Return one denial per missing capability the trade needs."""
        caps = ctx.capabilities
        if caps is None:
            return []
        trade = ctx.trade
        wanted = [
            ("options_not_supported", "options", bool(trade.options), "Your broker cannot trade options"),
            (
                "combos_not_supported",
                "combos",
                len(trade.legs) > 1,
                "Your broker cannot trade multi-leg orders",
            ),
            (
                "market_orders_not_supported",
                "market_orders",
                trade.order_type is OrderType.MARKET,
                "Your broker takes limit orders only",
            ),
            (
                "gtc_not_supported",
                "gtc",
                trade.time_in_force is TimeInForce.GTC,
                "Your broker takes day orders only",
            ),
        ]
        return [
            Denial(self.name, code, message, {"capability": capability})
            for code, capability, needed, message in wanted
            if needed and not getattr(caps, capability)
        ]
