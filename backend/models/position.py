"""Positions held by a client, one row per instrument."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base, TenantOwned, Timestamps, UUIDPrimaryKey, utcnow
from backend.models.trade import RIGHTS, SEC_TYPES
from backend.models.types import ExactDecimal, UTCDateTime


class Position(UUIDPrimaryKey, TenantOwned, Timestamps, Base):
    """A signed holding of one instrument with its average cost and realised P&L."""

    __tablename__ = "position"
    __table_args__ = (
        UniqueConstraint("client_id", "instrument_key"),
        CheckConstraint(f"sec_type IN {SEC_TYPES}", name="sec_type"),
        CheckConstraint(f"option_right IS NULL OR option_right IN {RIGHTS}", name="option_right"),
        CheckConstraint("multiplier > 0", name="multiplier_positive"),
    )

    instrument_key: Mapped[str] = mapped_column(String(64))
    sec_type: Mapped[str] = mapped_column(String(10))
    symbol: Mapped[str] = mapped_column(String(32))
    underlying: Mapped[str] = mapped_column(String(32))
    expiry: Mapped[date | None] = mapped_column(Date)
    strike: Mapped[Decimal | None] = mapped_column(ExactDecimal(18, 6))
    option_right: Mapped[str | None] = mapped_column(String(1))
    multiplier: Mapped[int] = mapped_column(Integer, default=1)
    # Signed: negative is short.
    quantity: Mapped[Decimal] = mapped_column(ExactDecimal(18, 4))
    average_cost: Mapped[Decimal] = mapped_column(ExactDecimal(18, 6))
    realized_pnl: Mapped[Decimal] = mapped_column(ExactDecimal(20, 6), default=Decimal(0))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
