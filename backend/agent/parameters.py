"""The agent's parameters: what it may trade, how it picks and sizes trades, how it manages them, its limits.

One validated document per client, versioned. Every numeric field carries its allowed range in
its schema, so the API can name the range in a 422 and the web app can show it before sending.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from annotated_types import Ge, Le
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

RiskProfile = Literal["conservative", "moderate", "aggressive"]
StrategyName = Literal[
    "cash_secured_put",
    "covered_call",
    "wheel",
    "bull_put_spread",
    "bear_call_spread",
    "iron_condor",
    "protective_put",
    "collar",
]
Symbol = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9.\-]{0,11}$")]


class _Section(BaseModel):
    # Frozen: the parameters in force are shared between ticks (see `effective_parameters`).
    model_config = ConfigDict(extra="forbid", frozen=True)


class EntryRules(_Section):
    """Which strategies run and what a short leg and a credit must look like."""

    strategies: list[StrategyName] = Field(min_length=0, max_length=8)
    target_delta_min: Decimal = Field(ge=Decimal("0.03"), le=Decimal("0.60"), decimal_places=3)
    target_delta_max: Decimal = Field(ge=Decimal("0.05"), le=Decimal("0.70"), decimal_places=3)
    min_dte: int = Field(ge=0, le=365)
    max_dte: int = Field(ge=1, le=730)
    min_credit: Decimal = Field(ge=0, le=50, decimal_places=2, description="Per share, dollars")
    min_credit_to_width: Decimal = Field(ge=0, le=Decimal("0.9"), decimal_places=3)
    wing_width: Decimal = Field(ge=Decimal("0.5"), le=100, decimal_places=2, description="Strike points")
    edge: Decimal = Field(
        ge=0, le=1, decimal_places=2, description="Share of the half-spread given up from mid (0 = mid)"
    )

    @model_validator(mode="after")
    def _windows_are_ordered(self) -> EntryRules:
        if self.target_delta_min > self.target_delta_max:
            raise ValueError("target_delta_min must not exceed target_delta_max")
        if self.min_dte > self.max_dte:
            raise ValueError("min_dte must not exceed max_dte")
        if len(set(self.strategies)) != len(self.strategies):
            raise ValueError("a strategy is listed twice")
        return self


class LiquidityFilters(_Section):
    """What a listed option must show before the agent trades it."""

    max_spread_pct: Decimal = Field(ge=Decimal("0.01"), le=1, decimal_places=3)
    min_open_interest: int = Field(ge=0, le=1_000_000)
    min_volume: int = Field(ge=0, le=10_000_000)


class Sizing(_Section):
    """How big one trade, and all of them together, may be (capital at risk as % of net liquidation)."""

    max_contracts_per_trade: int = Field(ge=1, le=100)
    max_risk_per_trade_pct: Decimal = Field(ge=Decimal("0.1"), le=25, decimal_places=2)
    max_risk_total_pct: Decimal = Field(ge=1, le=100, decimal_places=2)

    @model_validator(mode="after")
    def _per_trade_within_total(self) -> Sizing:
        if self.max_risk_per_trade_pct > self.max_risk_total_pct:
            raise ValueError("max_risk_per_trade_pct must not exceed max_risk_total_pct")
        return self


class Management(_Section):
    """When the agent takes a trade off: profit, stop, time, a tested strike, a large move to rescan."""

    take_profit_pct: Decimal = Field(ge=10, le=100, decimal_places=1, description="% of max profit")
    stop_loss_multiple: Decimal = Field(ge=Decimal("0.5"), le=10, decimal_places=2, description="x credit")
    exit_dte: int = Field(ge=0, le=60, description="Close (or roll) at or below this many days to expiry")
    close_when_tested: bool
    close_before_expiry_day: bool
    large_move_pct: Decimal = Field(
        ge=Decimal("0.5"), le=20, decimal_places=2, description="Underlying move (%) that triggers a rescan"
    )


class RiskLimitsIn(_Section):
    """The limits the risk gate enforces for this client (names match the gate's `RiskLimits`)."""

    allowed_underlyings: list[Symbol] | None = Field(default=None, max_length=200)
    max_contracts_per_order: int = Field(ge=1, le=500)
    max_notional_per_order: Decimal = Field(ge=100, le=10_000_000, decimal_places=2)
    max_premium_per_order: Decimal = Field(ge=10, le=1_000_000, decimal_places=2)
    price_collar_pct: Decimal = Field(ge=Decimal("0.01"), le=Decimal("0.5"), decimal_places=3)
    max_quote_age_seconds: int = Field(ge=1, le=300)
    max_spread_pct: Decimal = Field(ge=Decimal("0.01"), le=1, decimal_places=3)
    min_open_interest: int = Field(ge=0, le=1_000_000)
    min_volume: int = Field(ge=0, le=10_000_000)
    min_dte: int = Field(ge=0, le=365)
    max_dte: int = Field(ge=1, le=730)
    allow_naked_puts: bool
    max_open_positions: int = Field(ge=1, le=500)
    max_portfolio_delta: Decimal = Field(ge=0, le=10_000_000, decimal_places=2)
    max_underlying_delta: Decimal = Field(ge=0, le=10_000_000, decimal_places=2)
    max_portfolio_gamma: Decimal = Field(ge=0, le=1_000_000, decimal_places=2)
    max_portfolio_vega: Decimal = Field(ge=0, le=1_000_000, decimal_places=2)
    max_daily_loss: Decimal = Field(ge=0, le=10_000_000, decimal_places=2)
    max_orders_per_minute: int = Field(ge=1, le=600)

    @model_validator(mode="after")
    def _dte_window_ordered(self) -> RiskLimitsIn:
        if self.min_dte > self.max_dte:
            raise ValueError("min_dte must not exceed max_dte")
        return self


class AgentParameters(_Section):
    """Everything the agent decides with, validated as one document."""

    watchlist: list[Symbol] = Field(min_length=1, max_length=25)
    entry: EntryRules
    liquidity: LiquidityFilters
    sizing: Sizing
    management: Management
    risk: RiskLimitsIn
    scan_interval_seconds: int = Field(ge=30, le=86_400)
    proposal_ttl_seconds: int = Field(ge=60, le=86_400, description="How long a proposal waits for a person")

    @model_validator(mode="after")
    def _agent_can_pass_its_own_gate(self) -> AgentParameters:
        # A window the gate refuses would make every proposal a denial: say so when it is saved.
        if self.entry.min_dte < self.risk.min_dte or self.entry.max_dte > self.risk.max_dte:
            raise ValueError("entry.min_dte..max_dte must lie inside risk.min_dte..max_dte")
        if self.entry.strategies and self.sizing.max_contracts_per_trade > self.risk.max_contracts_per_order:
            raise ValueError("sizing.max_contracts_per_trade must not exceed risk.max_contracts_per_order")
        allowed = self.risk.allowed_underlyings
        if allowed is not None and (outside := sorted(set(self.watchlist) - set(allowed))):
            raise ValueError(f"watchlist symbols not in risk.allowed_underlyings: {', '.join(outside)}")
        if len(set(self.watchlist)) != len(self.watchlist):
            raise ValueError("a watchlist symbol is listed twice")
        return self


def _ranges(model: type[BaseModel], prefix: str = "") -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found |= _ranges(annotation, f"{path}.")
            continue
        bounds: dict[str, Any] = {}
        for meta in info.metadata:
            if isinstance(meta, Ge):
                bounds["min"] = meta.ge
            elif isinstance(meta, Le):
                bounds["max"] = meta.le
        if bounds:
            if info.description:
                bounds["unit"] = info.description
            found[path] = bounds
    return found


RANGES: dict[str, dict[str, Any]] = _ranges(AgentParameters)
"""Every bounded field by its dotted path: {"min": ..., "max": ..., "unit": ...}."""
