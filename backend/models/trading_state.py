"""Trading state (ACTIVE, REDUCING, HALTED), global or per client."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base, UUIDPrimaryKey, utcnow
from backend.models.types import UTCDateTime

TRADING_STATES = ("ACTIVE", "REDUCING", "HALTED")
GLOBAL_SCOPE = "global"


class TradingState(UUIDPrimaryKey, Base):
    """The current state of one scope; the global row has no client."""

    __tablename__ = "trading_state"
    __table_args__ = (
        # `scope` is 'global' or the client id, so the global row is unique too (NULLs are not).
        UniqueConstraint("scope"),
        CheckConstraint(f"state IN {TRADING_STATES}", name="state"),
        CheckConstraint(
            f"(scope = '{GLOBAL_SCOPE}' AND client_id IS NULL) OR (scope <> '{GLOBAL_SCOPE}' AND client_id IS NOT NULL)",
            name="scope_client",
        ),
    )

    scope: Mapped[str] = mapped_column(String(36))
    client_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("client.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(10), default="ACTIVE")
    reason: Mapped[str | None] = mapped_column(Text)
    allow_reduce_only: Mapped[bool] = mapped_column(Boolean, default=True)
    changed_by: Mapped[str | None] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TradingStateChange(UUIDPrimaryKey, Base):
    """One change of a scope's trading state; rows are only ever appended."""

    __tablename__ = "trading_state_change"
    __table_args__ = (
        CheckConstraint(f"from_state IN {TRADING_STATES}", name="from_state"),
        CheckConstraint(f"to_state IN {TRADING_STATES}", name="to_state"),
        CheckConstraint(
            f"(scope = '{GLOBAL_SCOPE}' AND client_id IS NULL) OR (scope <> '{GLOBAL_SCOPE}' AND client_id IS NOT NULL)",
            name="scope_client",
        ),
    )

    scope: Mapped[str] = mapped_column(String(36))
    client_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("client.id", ondelete="CASCADE"), index=True
    )
    from_state: Mapped[str] = mapped_column(String(10))
    to_state: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    allow_reduce_only: Mapped[bool] = mapped_column(Boolean)
    changed_by: Mapped[str] = mapped_column(String(100))
    # Indexed: the history is read newest first.
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
