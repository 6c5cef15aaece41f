"""Persisted simulator state, so paper accounts and the market survive restarts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base, utcnow
from backend.models.types import UTCDateTime


class SimulatorAccountState(Base):
    """One client's simulated account (books, orders, counters) as the simulator snapshots it."""

    __tablename__ = "simulator_account"

    client_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("client.id", ondelete="CASCADE"), primary_key=True
    )
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SimulatorMarketState(Base):
    """The shared simulated market's price paths; not tenant data (every client sees one market)."""

    __tablename__ = "simulator_market"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
