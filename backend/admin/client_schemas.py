"""Operator views of one client: users, broker, modes, limits usage; password resets and access changes."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from backend.agent.schemas import AgentStatusRead
from backend.broker_accounts.schemas import BrokerStatusRead
from backend.clients.schemas import MIN_PASSWORD_LENGTH, ClientRead
from backend.risk.usage_schemas import RiskUsageRead
from backend.trading.schemas import Reason


class ClientUserRead(BaseModel):
    """A user of the client, as operators see it (never a password hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    role: str
    is_active: bool
    last_login_at: datetime | None
    created_at: datetime


class TradingRead(BaseModel):
    """The global and the client's trading state, and the stricter of the two (the one in force)."""

    global_state: str
    client_state: str
    effective: str


class ClientDetailRead(BaseModel):
    """One client: its users, broker session, agent mode and effective mode, trading state, limits usage."""

    client: ClientRead
    users: list[ClientUserRead]
    broker: BrokerStatusRead
    agent: AgentStatusRead
    trading: TradingRead
    usage: RiskUsageRead


class PasswordReset(BaseModel):
    """A new password for the user, or none to have one generated (shown once)."""

    password: str | None = Field(default=None, min_length=MIN_PASSWORD_LENGTH, max_length=1024)


class PasswordResetDone(BaseModel):
    """The reset: the generated password (only when one was generated) and the sessions ended."""

    user_id: uuid.UUID
    generated_password: str | None = Field(
        description="Shown once; null when the operator chose the password"
    )
    revoked_sessions: int


class UserAccessChange(BaseModel):
    """Why an operator switches a user's access off or on (kept in the audit trail)."""

    reason: Reason = Field(description="Why, for the audit trail (3 to 500 characters)")


class UserAccessRead(BaseModel):
    """The user's access after the change, and what the change did."""

    user_id: uuid.UUID
    is_active: bool
    changed: bool = Field(description="False when the user was already in that state (nothing recorded)")
    revoked_sessions: int = Field(description="Sign-ins ended by a deactivation")
