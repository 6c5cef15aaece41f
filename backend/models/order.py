"""Orders sent (or about to be sent) to a broker, and their fills."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base, TenantOwned, Timestamps, UUIDPrimaryKey, utcnow
from backend.models.trade import SIDES
from backend.models.types import ExactDecimal, UTCDateTime

ORDER_STATUSES = (
    "pending_submit",
    "submitted",
    "acknowledged",
    "partially_filled",
    "filled",
    "cancel_requested",
    "cancelled",
    "rejected",
    "unknown",
)


class Order(UUIDPrimaryKey, TenantOwned, Timestamps, Base):
    """A broker order, written with its `client_order_id` before the broker sees it."""

    __tablename__ = "broker_order"
    __table_args__ = (
        UniqueConstraint("client_order_id"),
        CheckConstraint(f"status IN {ORDER_STATUSES}", name="status"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    trade_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("trade.id", ondelete="CASCADE"), index=True)
    client_order_id: Mapped[str] = mapped_column(String(64))
    broker_order_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), index=True)
    quantity: Mapped[Decimal] = mapped_column(ExactDecimal(18, 4))
    filled_quantity: Mapped[Decimal] = mapped_column(ExactDecimal(18, 4), default=Decimal(0))
    limit_price: Mapped[Decimal | None] = mapped_column(ExactDecimal(18, 6))
    average_fill_price: Mapped[Decimal | None] = mapped_column(ExactDecimal(18, 6))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class Fill(UUIDPrimaryKey, TenantOwned, Base):
    """One execution reported by the broker; de-duplicated by execution id."""

    __tablename__ = "fill"
    __table_args__ = (
        UniqueConstraint("client_id", "execution_id"),
        CheckConstraint(f"side IN {SIDES}", name="side"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("broker_order.id", ondelete="CASCADE"), index=True
    )
    execution_id: Mapped[str] = mapped_column(String(128))
    instrument_key: Mapped[str] = mapped_column(String(64))
    side: Mapped[str] = mapped_column(String(4))
    quantity: Mapped[Decimal] = mapped_column(ExactDecimal(18, 4))
    price: Mapped[Decimal] = mapped_column(ExactDecimal(18, 6))
    commission: Mapped[Decimal] = mapped_column(ExactDecimal(18, 6), default=Decimal(0))
    filled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
