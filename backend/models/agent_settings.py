"""The agent's mode and parameters for one client, and every earlier version of those parameters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base, TenantOwned, Timestamps, UUIDPrimaryKey, utcnow
from backend.models.types import UTCDateTime

AGENT_MODES = ("manual", "approval", "autonomous")
RISK_PROFILES = ("conservative", "moderate", "aggressive")


class AgentSettings(UUIDPrimaryKey, TenantOwned, Timestamps, Base):
    """Current agent mode, versioned parameters and the runtime's last word about the client."""

    __tablename__ = "agent_settings"
    __table_args__ = (
        UniqueConstraint("client_id"),
        CheckConstraint(f"mode IN {AGENT_MODES}", name="mode"),
        CheckConstraint(f"risk_profile IN {RISK_PROFILES}", name="risk_profile"),
    )

    mode: Mapped[str] = mapped_column(String(20), default="approval")
    risk_profile: Mapped[str] = mapped_column(String(20), default="conservative")
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    paused_reason: Mapped[str | None] = mapped_column(Text, default=None)
    last_scan_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_scan_summary: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class AgentParametersVersion(UUIDPrimaryKey, TenantOwned, Base):
    """One saved version of a client's parameters (append-only: the history of every change)."""

    __tablename__ = "agent_parameters_version"
    __table_args__ = (UniqueConstraint("client_id", "version"),)

    version: Mapped[int] = mapped_column(Integer)
    risk_profile: Mapped[str] = mapped_column(String(20))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
