"""The gate's rules, one a file; `default_rules()` is the set every trade passes through."""

from __future__ import annotations

from backend.risk.rule import Rule
from backend.risk.rules.allowed_underlyings import AllowedUnderlyingsRule
from backend.risk.rules.broker_capabilities import BrokerCapabilitiesRule
from backend.risk.rules.buying_power import BuyingPowerRule
from backend.risk.rules.contracts_per_order import ContractsPerOrderRule
from backend.risk.rules.daily_loss import DailyLossRule
from backend.risk.rules.dte_window import DteWindowRule
from backend.risk.rules.liquidity import LiquidityRule
from backend.risk.rules.max_open_positions import MaxOpenPositionsRule
from backend.risk.rules.naked_options import NakedOptionsRule
from backend.risk.rules.notional_per_order import NotionalPerOrderRule
from backend.risk.rules.order_rate import OrderRateRule
from backend.risk.rules.portfolio_greeks import PortfolioGreeksRule
from backend.risk.rules.premium_per_order import PremiumPerOrderRule
from backend.risk.rules.price_collar import PriceCollarRule
from backend.risk.rules.trade_shape import TradeShapeRule
from backend.risk.rules.trading_state import TradingStateRule


def default_rules() -> list[Rule]:
    """Return every rule, cheapest and most fundamental first (the gate runs them all anyway)."""
    return [
        TradeShapeRule(),
        BrokerCapabilitiesRule(),
        TradingStateRule(),
        OrderRateRule(),
        DailyLossRule(),
        AllowedUnderlyingsRule(),
        ContractsPerOrderRule(),
        DteWindowRule(),
        PriceCollarRule(),
        LiquidityRule(),
        NotionalPerOrderRule(),
        PremiumPerOrderRule(),
        NakedOptionsRule(),
        BuyingPowerRule(),
        MaxOpenPositionsRule(),
        PortfolioGreeksRule(),
    ]


__all__ = [
    "AllowedUnderlyingsRule",
    "BrokerCapabilitiesRule",
    "BuyingPowerRule",
    "ContractsPerOrderRule",
    "DailyLossRule",
    "DteWindowRule",
    "LiquidityRule",
    "MaxOpenPositionsRule",
    "NakedOptionsRule",
    "NotionalPerOrderRule",
    "OrderRateRule",
    "PortfolioGreeksRule",
    "PremiumPerOrderRule",
    "PriceCollarRule",
    "TradeShapeRule",
    "TradingStateRule",
    "default_rules",
]
