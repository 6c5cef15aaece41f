"""Trading-state bodies: the operator's change request, states, history, and the client's banner."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from backend.kit.pagination import Page
from backend.risk.context import TradingMode
from backend.trading.service import REASON_MAX, REASON_MIN

Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=REASON_MIN, max_length=REASON_MAX)
]


class TradingHaltRequest(BaseModel):
    """Set the global or one client's trading state."""

    model_config = ConfigDict(extra="forbid")

    scope: Literal["global", "client"]
    client_id: uuid.UUID | None = Field(
        default=None, description="Required when scope is 'client', else refused"
    )
    state: TradingMode
    reason: Reason = Field(description="Why, for the audit trail (3 to 500 characters)")
    allow_reduce_only: bool = Field(
        default=True, description="While HALTED, may orders that only reduce risk still go out?"
    )

    @model_validator(mode="after")
    def _client_id_iff_client_scope(self) -> Self:
        if (self.scope == "client") != (self.client_id is not None):
            raise ValueError("client_id is required when scope is 'client' and refused when it is 'global'")
        return self


class TradingStateChangeRead(BaseModel):
    """One change of a scope's trading state."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    scope: str = Field(description="'global' or the client id")
    client_id: uuid.UUID | None
    from_state: TradingMode
    to_state: TradingMode
    reason: str
    allow_reduce_only: bool
    changed_by: str
    changed_at: datetime


class TradingHaltResult(TradingStateChangeRead):
    """The change made, and what the halt cancelled."""

    cancelled_orders: int | None = Field(
        description="Working orders cancelled by this change; null when cancelling failed (the halt stands)"
    )


class TradingStateRead(BaseModel):
    """A scope's current trading state."""

    model_config = ConfigDict(from_attributes=True)

    scope: str = Field(description="'global' or the client id")
    client_id: uuid.UUID | None
    state: TradingMode
    reason: str | None
    allow_reduce_only: bool
    changed_by: str | None
    changed_at: datetime | None


class TradingHaltOverview(BaseModel):
    """The global state, every client not ACTIVE, and the history of changes (newest first)."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    global_: TradingStateRead = Field(alias="global")
    clients: list[TradingStateRead]
    history: Page[TradingStateChangeRead]


class ScopeStateRead(BaseModel):
    """One scope's state as a client sees it."""

    model_config = ConfigDict(from_attributes=True)

    state: TradingMode
    reason: str | None
    allow_reduce_only: bool
    changed_at: datetime | None


class ClientTradingState(BaseModel):
    """What governs the client's trading now: the stricter of the global and the client's state."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    effective: TradingMode
    reduce_only_allowed: bool = Field(description="While halted, may orders that only reduce risk go out?")
    global_: ScopeStateRead = Field(alias="global")
    client: ScopeStateRead
