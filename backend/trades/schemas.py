"""Trade bodies."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict


class TradeLegRead(BaseModel):
    """One leg of a trade."""

    model_config = ConfigDict(from_attributes=True)

    leg_index: int
    side: str
    ratio: int
    sec_type: str
    symbol: str
    instrument_key: str
    expiry: date | None
    strike: Decimal | None
    option_right: str | None
    multiplier: int


class TradeRead(BaseModel):
    """A trade with its legs and lifecycle state."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    status: str
    origin: str
    strategy: str | None
    underlying: str
    quantity: int
    order_type: str
    time_in_force: str
    limit_price: Decimal | None
    rationale: str | None
    denial_reasons: list[dict[str, Any]]
    legs: list[TradeLegRead]
    expires_at: datetime | None
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime
    updated_at: datetime
