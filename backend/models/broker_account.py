"""A client's broker account: kind, non-secret settings and encrypted credentials."""

from __future__ import annotations

from typing import Any, Literal, get_args

from sqlalchemy import JSON, CheckConstraint, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base, TenantOwned, Timestamps, UUIDPrimaryKey

BrokerKind = Literal["simulator", "ibkr", "phillip"]
BROKER_KINDS: tuple[str, ...] = get_args(BrokerKind)


class BrokerAccount(UUIDPrimaryKey, TenantOwned, Timestamps, Base):
    """The broker a client trades through; secrets live only in `credentials_ciphertext`."""

    __tablename__ = "broker_account"
    __table_args__ = (CheckConstraint(f"kind IN {BROKER_KINDS}", name="kind"),)

    kind: Mapped[str] = mapped_column(String(20))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    credentials_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    key_version: Mapped[int | None] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(default=True)
