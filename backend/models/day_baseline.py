"""Each client's net liquidation at its first look on an exchange day: what the daily loss counts from."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base, TenantOwned, UUIDPrimaryKey, utcnow
from backend.models.types import ExactDecimal, UTCDateTime


class DayBaseline(UUIDPrimaryKey, TenantOwned, Base):
    """Written once per client and exchange day (the first writer wins), never changed."""

    __tablename__ = "day_baseline"
    __table_args__ = (UniqueConstraint("client_id", "day"),)

    day: Mapped[date] = mapped_column(Date)
    net_liquidation: Mapped[Decimal] = mapped_column(ExactDecimal(20, 6))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
