"""Trade bodies."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from backend.models.trade import (
    OrderTypeName,
    RightName,
    SecType,
    SideName,
    TimeInForceName,
    TradeOrigin,
    TradeStatus,
)


class TradeLegRead(BaseModel):
    """One leg of a trade."""

    model_config = ConfigDict(from_attributes=True)

    leg_index: int
    side: SideName
    ratio: int
    sec_type: SecType
    symbol: str
    instrument_key: str
    expiry: date | None
    strike: Decimal | None
    option_right: RightName | None
    multiplier: int


class PayoffPoint(BaseModel):
    """The trade's P&L at expiry if the underlying ends at `price`."""

    price: Decimal
    pnl: Decimal | None


class TradeGreeksRead(BaseModel):
    """The whole trade's greeks, in dollars."""

    delta: Decimal
    gamma: Decimal
    vega: Decimal
    theta: Decimal


class TradeMetrics(BaseModel):
    """What the agent computed when it proposed the trade (empty for a person's ticket)."""

    expiry: date | None = None
    max_profit: Decimal | None = None
    max_loss: Decimal | None = None
    breakevens: list[Decimal] = []
    probability_of_profit: float | None = None
    expected_value: Decimal | None = None
    return_on_risk: Decimal | None = None
    capital_at_risk: Decimal | None = None
    greeks: TradeGreeksRead | None = None
    score: float | None = None
    payoff: list[PayoffPoint] = []
    exit: str | None = Field(default=None, description="For a management exit: the rule that fired")
    detail: str | None = None
    opened_by: uuid.UUID | None = Field(default=None, description="For an exit: the trade it closes")


class TradeRead(BaseModel):
    """A trade with its legs and lifecycle state."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    status: TradeStatus
    origin: TradeOrigin
    strategy: str | None
    underlying: str
    quantity: int
    order_type: OrderTypeName
    time_in_force: TimeInForceName
    limit_price: Decimal | None
    rationale: str | None
    denial_reasons: list[dict[str, Any]]
    legs: list[TradeLegRead]
    expires_at: datetime | None
    metrics: TradeMetrics = Field(default_factory=TradeMetrics)
    parent_trade_id: uuid.UUID | None = None
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime
    updated_at: datetime


class OrderRead(BaseModel):
    """A broker order of a trade."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    client_order_id: str
    broker_order_id: str | None
    status: str
    quantity: Decimal
    filled_quantity: Decimal
    limit_price: Decimal | None
    average_fill_price: Decimal | None
    submitted_at: datetime | None
    last_error: str | None
    created_at: datetime


class FillRead(BaseModel):
    """One execution booked against an order."""

    model_config = ConfigDict(from_attributes=True)

    execution_id: str
    instrument_key: str
    side: SideName
    quantity: Decimal
    price: Decimal
    commission: Decimal
    filled_at: datetime


class TradeDetailRead(TradeRead):
    """A trade with its orders and fills."""

    orders: list[OrderRead]
    fills: list[FillRead]
