"""A client's account values at one moment: the points of its P&L over time."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base, TenantOwned, UUIDPrimaryKey
from backend.models.types import ExactDecimal, UTCDateTime


class PnlSnapshot(UUIDPrimaryKey, TenantOwned, Base):
    """Appended by the process holding the client's broker session, at most once per snapshot interval."""

    __tablename__ = "pnl_snapshot"
    # The history is always read per client in time order.
    __table_args__ = (Index("ix_pnl_snapshot_client_id_at", "client_id", "at"),)

    at: Mapped[datetime] = mapped_column(UTCDateTime)
    net_liquidation: Mapped[Decimal] = mapped_column(ExactDecimal(20, 6))
    realized: Mapped[Decimal] = mapped_column(ExactDecimal(20, 6))
    unrealized: Mapped[Decimal] = mapped_column(ExactDecimal(20, 6))
    currency: Mapped[str] = mapped_column(String(3))
