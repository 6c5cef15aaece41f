"""Agent bodies: parameters, mode, status."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from backend.agent.parameters import AgentParameters, RiskProfile

AgentMode = Literal["manual", "approval", "autonomous"]
AgentState = Literal["running", "paused", "halted", "broker_disconnected", "stopped"]


class FieldRange(BaseModel):
    """The allowed range of one parameter."""

    min: Decimal | None = None
    max: Decimal | None = None
    unit: str | None = None


class AgentParametersRead(BaseModel):
    """The parameters in force, their version and profile, and each field's allowed range."""

    version: int
    risk_profile: RiskProfile
    parameters: AgentParameters
    ranges: dict[str, FieldRange]
    updated_at: datetime


class AgentParametersUpdate(BaseModel):
    """A change: a new profile resets to its defaults; `parameters` (any subset, by section) is laid over."""

    risk_profile: RiskProfile | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)
    expected_version: int | None = Field(
        default=None, ge=1, description="Refuse the change (409) if the parameters moved past this version"
    )


class AgentParametersVersionRead(BaseModel):
    """One saved version."""

    version: int
    risk_profile: str
    parameters: dict[str, Any]
    changed_by: str
    created_at: datetime


class ModeUpdate(BaseModel):
    """The mode to switch to."""

    mode: AgentMode


class PauseUpdate(BaseModel):
    """Why the agent is paused (optional)."""

    reason: str | None = Field(default=None, max_length=500)


class PnlSummary(BaseModel):
    """The account's P&L as the broker reports it (absent while disconnected)."""

    net_liquidation: Decimal
    realized: Decimal
    unrealized: Decimal
    currency: str


class AgentStatusRead(BaseModel):
    """What the agent is doing and why."""

    mode: AgentMode
    effective_mode: AgentMode
    effective_reasons: list[str]
    autonomous_enabled: bool
    state: AgentState
    state_reason: str | None
    paused: bool
    trading_state: str
    broker_state: str
    last_scan_at: datetime | None
    next_scan_at: datetime | None
    last_scan: dict[str, Any] | None
    open_proposals: int
    open_positions: int
    pnl: PnlSummary | None
    parameters_version: int


class ScanResult(BaseModel):
    """What a scan on demand did."""

    state: AgentState
    proposed: list[str]
    exits: list[str]
    approved: list[str]
    last_scan: dict[str, Any] | None
