"""Position bodies."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

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
    mark: Decimal | None = Field(default=None, description="Mid (or last) per unit; null without a quote")
    market_value: Decimal | None = None
    unrealized_pnl: Decimal | None = None
    delta: float | None = Field(default=None, description="Position delta in underlying units (shares)")
    gamma: float | None = None
    vega: float | None = Field(default=None, description="Per volatility point")
    theta: float | None = Field(default=None, description="Per calendar day")
    valued_at: datetime | None = None


class PortfolioRead(BaseModel):
    """The book's totals at current marks; totals skip positions that could not be valued."""

    positions: int
    valued: int
    market_value: Decimal
    unrealized_pnl: Decimal
    realized_pnl: Decimal
    delta: float
    gamma: float
    vega: float
    theta: float
