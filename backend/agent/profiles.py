"""Starting parameters for each risk profile a client can pick at onboarding."""

from __future__ import annotations

from typing import Any

from backend.agent.parameters import AgentParameters, RiskProfile

_COMMON: dict[str, Any] = {
    "watchlist": ["SPY", "QQQ", "AAPL"],
    "liquidity": {"max_spread_pct": "0.15", "min_open_interest": 50, "min_volume": 0},
    "scan_interval_seconds": 300,
    "proposal_ttl_seconds": 900,
}

_PROFILES: dict[str, dict[str, Any]] = {
    "conservative": {
        "entry": {
            "strategies": ["cash_secured_put", "covered_call", "bull_put_spread", "protective_put"],
            "target_delta_min": "0.10",
            "target_delta_max": "0.22",
            "min_dte": 21,
            "max_dte": 45,
            "min_credit": "0.20",
            # Five points wide at these deltas pays about a tenth of the width on liquid index options.
            "min_credit_to_width": "0.10",
            "wing_width": "5",
            "edge": "0.25",
        },
        "sizing": {"max_contracts_per_trade": 2, "max_risk_per_trade_pct": "2", "max_risk_total_pct": "20"},
        "management": {
            "take_profit_pct": "50",
            "stop_loss_multiple": "2",
            "exit_dte": 7,
            "close_when_tested": True,
            "close_before_expiry_day": True,
            "large_move_pct": "2",
        },
        "risk": {
            "max_contracts_per_order": 5,
            "max_notional_per_order": "60000",
            "max_premium_per_order": "5000",
            "price_collar_pct": "0.10",
            "max_quote_age_seconds": 15,
            "max_spread_pct": "0.20",
            "min_open_interest": 10,
            "min_volume": 0,
            "min_dte": 7,
            "max_dte": 60,
            "allow_naked_puts": False,
            "max_open_positions": 10,
            "max_portfolio_delta": "20000",
            "max_underlying_delta": "10000",
            "max_portfolio_gamma": "2000",
            "max_portfolio_vega": "2000",
            "max_daily_loss": "1000",
            "max_orders_per_minute": 6,
        },
    },
    "moderate": {
        "entry": {
            "strategies": [
                "wheel",
                "bull_put_spread",
                "bear_call_spread",
                "iron_condor",
                "protective_put",
            ],
            "target_delta_min": "0.15",
            "target_delta_max": "0.30",
            "min_dte": 14,
            "max_dte": 45,
            "min_credit": "0.25",
            "min_credit_to_width": "0.20",
            "wing_width": "5",
            "edge": "0.30",
        },
        "sizing": {"max_contracts_per_trade": 5, "max_risk_per_trade_pct": "4", "max_risk_total_pct": "40"},
        "management": {
            "take_profit_pct": "50",
            "stop_loss_multiple": "2.5",
            "exit_dte": 5,
            "close_when_tested": True,
            "close_before_expiry_day": True,
            "large_move_pct": "3",
        },
        "risk": {
            "max_contracts_per_order": 10,
            "max_notional_per_order": "100000",
            "max_premium_per_order": "10000",
            "price_collar_pct": "0.10",
            "max_quote_age_seconds": 15,
            "max_spread_pct": "0.25",
            "min_open_interest": 10,
            "min_volume": 0,
            "min_dte": 3,
            "max_dte": 90,
            "allow_naked_puts": True,
            "max_open_positions": 20,
            "max_portfolio_delta": "50000",
            "max_underlying_delta": "25000",
            "max_portfolio_gamma": "5000",
            "max_portfolio_vega": "5000",
            "max_daily_loss": "2000",
            "max_orders_per_minute": 10,
        },
    },
    "aggressive": {
        "entry": {
            "strategies": [
                "wheel",
                "bull_put_spread",
                "bear_call_spread",
                "iron_condor",
                "collar",
            ],
            "target_delta_min": "0.20",
            "target_delta_max": "0.40",
            "min_dte": 7,
            "max_dte": 45,
            "min_credit": "0.30",
            "min_credit_to_width": "0.25",
            "wing_width": "10",
            "edge": "0.35",
        },
        "sizing": {"max_contracts_per_trade": 10, "max_risk_per_trade_pct": "8", "max_risk_total_pct": "70"},
        "management": {
            "take_profit_pct": "65",
            "stop_loss_multiple": "3",
            "exit_dte": 3,
            "close_when_tested": False,
            "close_before_expiry_day": True,
            "large_move_pct": "4",
        },
        "risk": {
            "max_contracts_per_order": 20,
            "max_notional_per_order": "250000",
            "max_premium_per_order": "25000",
            "price_collar_pct": "0.12",
            "max_quote_age_seconds": 15,
            "max_spread_pct": "0.30",
            "min_open_interest": 5,
            "min_volume": 0,
            "min_dte": 1,
            "max_dte": 120,
            "allow_naked_puts": True,
            "max_open_positions": 40,
            "max_portfolio_delta": "100000",
            "max_underlying_delta": "50000",
            "max_portfolio_gamma": "10000",
            "max_portfolio_vega": "10000",
            "max_daily_loss": "5000",
            "max_orders_per_minute": 20,
        },
    },
}


def profile_defaults(profile: RiskProfile | str) -> AgentParameters:
    """Return the starting parameters of a risk profile."""
    return AgentParameters.model_validate(_COMMON | _PROFILES[profile])
