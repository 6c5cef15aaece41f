"""A pending broker OAuth authorisation: its state's digest and what the callback needs, sealed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base, TenantOwned, UUIDPrimaryKey, utcnow
from backend.models.types import UTCDateTime


class BrokerOAuthState(UUIDPrimaryKey, TenantOwned, Base):
    """One authorisation in flight; deleted when its callback arrives (single use) or it expires."""

    __tablename__ = "broker_oauth_state"

    kind: Mapped[str] = mapped_column(String(20))
    # A digest, not the state itself: a reader of this table cannot complete someone's callback.
    state_digest: Mapped[str] = mapped_column(String(64), unique=True)
    payload_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    key_version: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
