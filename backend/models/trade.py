"""Trades (what was proposed and decided) and their legs."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, get_args

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base, TenantOwned, Timestamps, UUIDPrimaryKey
from backend.models.types import ExactDecimal, UTCDateTime

TradeStatus = Literal[
    "proposed",
    "denied",
    "pending_approval",
    "approved",
    "submitted",
    "partially_filled",
    "filled",
    "cancelled",
    "rejected",
    "expired",
    "unknown",
]
TradeOrigin = Literal["agent", "chat", "user"]
OrderTypeName = Literal["limit", "market"]
TimeInForceName = Literal["DAY", "GTC"]
SideName = Literal["buy", "sell"]
SecType = Literal["stock", "option"]
RightName = Literal["C", "P"]
TRADE_STATUSES: tuple[str, ...] = get_args(TradeStatus)
TRADE_ORIGINS: tuple[str, ...] = get_args(TradeOrigin)
ORDER_TYPES: tuple[str, ...] = get_args(OrderTypeName)
TIMES_IN_FORCE: tuple[str, ...] = get_args(TimeInForceName)
SIDES: tuple[str, ...] = get_args(SideName)
SEC_TYPES: tuple[str, ...] = get_args(SecType)
RIGHTS: tuple[str, ...] = get_args(RightName)


class Trade(UUIDPrimaryKey, TenantOwned, Timestamps, Base):
    """One decision to trade: one or more legs at a net price, with its lifecycle."""

    __tablename__ = "trade"
    __table_args__ = (
        CheckConstraint(f"status IN {TRADE_STATUSES}", name="status"),
        CheckConstraint(f"origin IN {TRADE_ORIGINS}", name="origin"),
        CheckConstraint(f"order_type IN {ORDER_TYPES}", name="order_type"),
        CheckConstraint(f"time_in_force IN {TIMES_IN_FORCE}", name="time_in_force"),
        UniqueConstraint("client_id", "idempotency_key"),
    )

    status: Mapped[str] = mapped_column(String(20), index=True)
    origin: Mapped[str] = mapped_column(String(10))
    strategy: Mapped[str | None] = mapped_column(String(50))
    underlying: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[int] = mapped_column(Integer)
    order_type: Mapped[str] = mapped_column(String(10))
    time_in_force: Mapped[str] = mapped_column(String(3))
    # Net price per combo unit: positive is a debit paid, negative a credit received.
    limit_price: Mapped[Decimal | None] = mapped_column(ExactDecimal(18, 6))
    rationale: Mapped[str | None] = mapped_column(Text)
    denial_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The trade this one exits (management exits and closes), so one structure gets one exit at a time.
    parent_trade_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("trade.id", ondelete="SET NULL"), index=True, default=None
    )


class TradeLeg(UUIDPrimaryKey, TenantOwned, Base):
    """One instrument of a trade, with its side and ratio."""

    __tablename__ = "trade_leg"
    __table_args__ = (
        UniqueConstraint("trade_id", "leg_index"),
        CheckConstraint(f"side IN {SIDES}", name="side"),
        CheckConstraint(f"sec_type IN {SEC_TYPES}", name="sec_type"),
        CheckConstraint(f"option_right IS NULL OR option_right IN {RIGHTS}", name="option_right"),
        CheckConstraint("ratio > 0", name="ratio_positive"),
        CheckConstraint("multiplier > 0", name="multiplier_positive"),
    )

    trade_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("trade.id", ondelete="CASCADE"), index=True)
    leg_index: Mapped[int] = mapped_column(Integer)
    side: Mapped[str] = mapped_column(String(4))
    ratio: Mapped[int] = mapped_column(Integer, default=1)
    sec_type: Mapped[str] = mapped_column(String(10))
    symbol: Mapped[str] = mapped_column(String(32))
    instrument_key: Mapped[str] = mapped_column(String(64))
    expiry: Mapped[date | None] = mapped_column(Date)
    strike: Mapped[Decimal | None] = mapped_column(ExactDecimal(18, 6))
    option_right: Mapped[str | None] = mapped_column(String(1))
    multiplier: Mapped[int] = mapped_column(Integer, default=1)
