"""P&L history bodies."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class PnlPointRead(BaseModel):
    """The account's values at one moment, as the broker reported them."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    net_liquidation: Decimal
    realized: Decimal = Field(description="Realised P&L the broker reported at that moment")
    unrealized: Decimal = Field(description="Unrealised P&L at the broker's marks at that moment")
    currency: str = Field(description="The account's base currency (ISO 4217)")


class PnlHistoryRead(BaseModel):
    """A client's P&L over time, oldest point first."""

    points: list[PnlPointRead]
