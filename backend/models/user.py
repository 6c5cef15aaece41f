"""Login identities: client users (one tenant each) and operators (no tenant)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base, Timestamps, UUIDPrimaryKey
from backend.models.types import UTCDateTime

ROLE_CLIENT = "client"
ROLE_OPERATOR = "operator"
Role = Literal["client", "operator"]


class User(UUIDPrimaryKey, Timestamps, Base):
    """A person who can log in."""

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(f"role IN ('{ROLE_CLIENT}', '{ROLE_OPERATOR}')", name="role"),
        # A client user always has a tenant; an operator never does.
        CheckConstraint(
            f"(role = '{ROLE_CLIENT}' AND client_id IS NOT NULL) OR "
            f"(role = '{ROLE_OPERATOR}' AND client_id IS NULL)",
            name="role_tenant",
        ),
    )

    client_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("client.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
