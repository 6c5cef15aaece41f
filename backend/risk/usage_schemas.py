"""How close a client is to each of its risk limits, as the API returns it."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

UsageUnit = Literal["money", "count", "greek"]


class LimitUsageRead(BaseModel):
    """One limit: its value, what counts against it now, and how much of it is used."""

    key: str = Field(description="Stable name of the measure, e.g. daily_loss, portfolio_delta")
    label: str
    unit: UsageUnit
    limit: Decimal | None = Field(description="The limit in force; null when it cannot be worked out now")
    value: Decimal | None = Field(description="The measure, signed (e.g. today's P&L, the book's delta)")
    used: Decimal | None = Field(description="What counts against the limit (a loss, an absolute greek)")
    ratio: float | None = Field(description="used / limit (1.0 is at the limit); null when either is unknown")
    reason: str | None = Field(default=None, description="Why the usage is unknown, when it is")


class RiskUsageRead(BaseModel):
    """Every limit of one client with its current usage."""

    client_id: uuid.UUID
    as_of: datetime
    broker_connected: bool
    currency: str | None
    net_liquidation: Decimal | None
    items: list[LimitUsageRead]
