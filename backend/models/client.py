"""The client: one tenant, owning its users, broker account, agent and book."""

from __future__ import annotations

from typing import Literal, get_args

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base, Timestamps, UUIDPrimaryKey

ClientStatus = Literal["active", "suspended"]
CLIENT_STATUSES: tuple[str, ...] = get_args(ClientStatus)


class Client(UUIDPrimaryKey, Timestamps, Base):
    """A tenant of the platform."""

    __tablename__ = "client"
    __table_args__ = (CheckConstraint(f"status IN {CLIENT_STATUSES}", name="status"),)

    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="active")
