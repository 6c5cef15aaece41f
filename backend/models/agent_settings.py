"""The agent's mode and parameters for one client."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, CheckConstraint, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base, TenantOwned, Timestamps, UUIDPrimaryKey

AGENT_MODES = ("manual", "approval", "autonomous")
RISK_PROFILES = ("conservative", "moderate", "aggressive")


class AgentSettings(UUIDPrimaryKey, TenantOwned, Timestamps, Base):
    """Current agent mode and versioned parameters of a client."""

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
