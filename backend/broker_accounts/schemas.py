"""Broker account bodies: per-kind settings in, status out (never a secret)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from backend.models.broker_account import BrokerKind


class SimulatorSettings(BaseModel):
    """Paper trading on the built-in simulated venue."""

    model_config = ConfigDict(extra="forbid")

    starting_cash: Decimal = Field(default=Decimal(100_000), gt=0, le=Decimal(10) ** 9, decimal_places=2)


class NoSettings(BaseModel):
    """A broker kind whose every setting is sealed with its credentials."""

    model_config = ConfigDict(extra="forbid")


class BrokerAccountUpdate(BaseModel):
    """Choose the broker and give its settings and credentials (validated per kind)."""

    kind: BrokerKind
    settings: dict[str, Any] = Field(default_factory=dict, description="Non-secret settings of this kind")
    credentials: dict[str, Any] | None = Field(
        default=None, description="Secrets of this kind; stored encrypted, never returned"
    )
    reset_account: bool = Field(
        default=False,
        description="Simulator only: start a fresh paper account instead of keeping the saved one",
    )


class CapabilitiesRead(BaseModel):
    """What the broker can do for this client."""

    options: bool
    combos: bool
    streaming: bool
    native_greeks: bool
    delayed_data: bool
    amend: bool
    market_orders: bool
    gtc: bool
    partial_fills: bool
    exchange_timezone: str = Field(
        description="The venue's time zone: its trading day (daily loss) turns over at its midnight"
    )


class AccountSummaryRead(BaseModel):
    """Balances in the account's base currency."""

    account_id: str
    currency: str
    cash: Decimal
    net_liquidation: Decimal
    buying_power: Decimal
    margin_requirement: Decimal
    realized_pnl: Decimal
    unrealized_pnl: Decimal
    ts: datetime


class BrokerStatusRead(BaseModel):
    """The client's broker: kind, session state, capabilities, balances; never credentials."""

    kind: str | None
    state: str
    last_error: str | None
    connected_at: datetime | None
    reconnects: int
    capabilities: CapabilitiesRead | None
    settings: dict[str, Any]
    has_credentials: bool
    account: AccountSummaryRead | None
    available_kinds: list[str]


class BrokerTestResult(BaseModel):
    """The outcome of a trial connection with unsaved settings."""

    ok: bool
    state: str
    error: str | None
    capabilities: CapabilitiesRead | None
    account: AccountSummaryRead | None
