"""Position bodies."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from backend.models.trade import RightName, SecType


class PositionRead(BaseModel):
    """A holding: signed quantity, average cost per unit, and explicit multiplier."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    instrument_key: str
    sec_type: SecType
    symbol: str
    underlying: str
    expiry: date | None
    strike: Decimal | None
    option_right: RightName | None
    multiplier: int
    quantity: Decimal
    average_cost: Decimal
    realized_pnl: Decimal
    opened_at: datetime
    updated_at: datetime
