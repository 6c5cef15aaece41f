"""Which worker runs each client's broker session and agent, until when, under which fencing token."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base
from backend.models.types import UTCDateTime


class ClientLease(Base):
    """A system row (not tenant data beyond the id): a lease a worker renews; `token` grows per acquisition."""

    __tablename__ = "client_lease"

    client_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("client.id", ondelete="CASCADE"), primary_key=True
    )
    holder: Mapped[str] = mapped_column(String(100))
    token: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
