"""The stream's typed events: one `data` model per event type, one envelope union for readers.

Every event is `{type, seq, ts, client_id, data}`; `seq` increases by one per client, so a reader
that sees 7 after 5 knows it missed 6 and asks `GET /clients/{id}/events?after=5`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class EventData(BaseModel):
    """The payload of one event type; `TYPE` names the event it travels in."""

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str]


class QuoteData(EventData):
    """Top of book for a held or watched instrument (at most one per symbol per throttle interval)."""

    TYPE: ClassVar[str] = "quote"
    instrument_key: str
    symbol: str
    bid: Decimal | None
    ask: Decimal | None
    last: Decimal | None
    underlying_price: Decimal | None = None
    data_source: str
    quoted_at: datetime


class TradeUpdatedData(EventData):
    """A trade was proposed or changed status."""

    TYPE: ClassVar[str] = "trade.updated"
    trade_id: uuid.UUID
    status: str
    origin: str
    strategy: str | None
    underlying: str
    quantity: int
    limit_price: Decimal | None


class OrderUpdatedData(EventData):
    """An order changed status or filled quantity."""

    TYPE: ClassVar[str] = "order.updated"
    order_id: uuid.UUID
    trade_id: uuid.UUID
    client_order_id: str
    status: str
    quantity: Decimal
    filled_quantity: Decimal
    average_fill_price: Decimal | None
    last_error: str | None


class FillData(EventData):
    """One execution was booked."""

    TYPE: ClassVar[str] = "fill"
    order_id: uuid.UUID
    execution_id: str
    instrument_key: str
    side: str
    quantity: Decimal
    price: Decimal
    commission: Decimal
    filled_at: datetime


class PositionChange(BaseModel):
    """A position after fills moved it."""

    instrument_key: str
    underlying: str
    quantity: Decimal
    average_cost: Decimal
    realized_pnl: Decimal


class PortfolioUpdatedData(EventData):
    """Positions (and realised P&L) changed after fills; refetch positions for marks."""

    TYPE: ClassVar[str] = "portfolio.updated"
    positions: list[PositionChange]


class PnlUpdatedData(EventData):
    """The broker's account values were recorded as a new point of the client's P&L history."""

    TYPE: ClassVar[str] = "pnl.updated"
    at: datetime
    net_liquidation: Decimal
    realized: Decimal
    unrealized: Decimal
    currency: str


class AgentStatusData(EventData):
    """What the client's agent is doing."""

    TYPE: ClassVar[str] = "agent.status"
    state: str = Field(description="running, paused, halted, broker_disconnected or stopped")
    mode: str | None = None
    message: str | None = None
    scanned: bool = False
    proposed: list[str] = Field(default_factory=list, description="Trade ids the agent just proposed")
    exits: list[str] = Field(default_factory=list, description="Exit trade ids just proposed")
    approved: list[str] = Field(default_factory=list, description="Trade ids the agent approved itself")
    expired: int = 0


class TradingStateData(EventData):
    """The global or the client's own trading state changed."""

    TYPE: ClassVar[str] = "trading.state"
    scope: Literal["global", "client"]
    state: str
    reason: str
    allow_reduce_only: bool


class BrokerStatusData(EventData):
    """The client's broker session changed state."""

    TYPE: ClassVar[str] = "broker.status"
    kind: str
    state: str
    last_error: str | None


class ChatMessageData(EventData):
    """A message in the client's agent console."""

    TYPE: ClassVar[str] = "chat.message"
    message_id: uuid.UUID | None = None
    role: Literal["user", "agent", "system"]
    text: str


AccessEnded = Literal["signed_out", "refresh_token_reused", "password_reset", "deactivated"]
"""Why sign-ins ended: a logout, a refresh token presented twice, a password reset, an operator's deactivation."""


class AccessRevokedData(EventData):
    """Sign-ins of one of the client's users ended: open streams re-check theirs at once and close if ended."""

    TYPE: ClassVar[str] = "access.revoked"
    user_id: uuid.UUID
    reason: AccessEnded


class _Envelope(BaseModel):
    seq: int = Field(ge=1, description="Increases by one per client; a jump means events were missed")
    ts: datetime
    client_id: uuid.UUID


class QuoteEvent(_Envelope):
    type: Literal["quote"]
    data: QuoteData


class TradeUpdatedEvent(_Envelope):
    type: Literal["trade.updated"]
    data: TradeUpdatedData


class OrderUpdatedEvent(_Envelope):
    type: Literal["order.updated"]
    data: OrderUpdatedData


class FillEvent(_Envelope):
    type: Literal["fill"]
    data: FillData


class PortfolioUpdatedEvent(_Envelope):
    type: Literal["portfolio.updated"]
    data: PortfolioUpdatedData


class PnlUpdatedEvent(_Envelope):
    type: Literal["pnl.updated"]
    data: PnlUpdatedData


class AccessRevokedEvent(_Envelope):
    type: Literal["access.revoked"]
    data: AccessRevokedData


class AgentStatusEvent(_Envelope):
    type: Literal["agent.status"]
    data: AgentStatusData


class TradingStateEvent(_Envelope):
    type: Literal["trading.state"]
    data: TradingStateData


class BrokerStatusEvent(_Envelope):
    type: Literal["broker.status"]
    data: BrokerStatusData


class ChatMessageEvent(_Envelope):
    type: Literal["chat.message"]
    data: ChatMessageData


Event = Annotated[
    QuoteEvent
    | TradeUpdatedEvent
    | OrderUpdatedEvent
    | FillEvent
    | PortfolioUpdatedEvent
    | PnlUpdatedEvent
    | AgentStatusEvent
    | TradingStateEvent
    | BrokerStatusEvent
    | ChatMessageEvent
    | AccessRevokedEvent,
    Field(discriminator="type"),
]
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
EVENT_TYPES = frozenset(
    cls.TYPE
    for cls in (
        QuoteData,
        TradeUpdatedData,
        OrderUpdatedData,
        FillData,
        PortfolioUpdatedData,
        PnlUpdatedData,
        AgentStatusData,
        TradingStateData,
        BrokerStatusData,
        ChatMessageData,
        AccessRevokedData,
    )
)


class HelloMessage(BaseModel):
    """The first message on a stream: the client's current seq, to replay from after a reconnect."""

    type: Literal["hello"] = "hello"
    client_id: uuid.UUID
    seq: int = Field(ge=0, description="The last seq issued for this client when the stream opened")
    heartbeat_seconds: float
    expires_at: datetime = Field(description="When the stream closes because its credential expires")


class HeartbeatMessage(BaseModel):
    """Sent when the stream is quiet, so both ends notice a dead connection."""

    type: Literal["heartbeat"] = "heartbeat"
    ts: datetime
    seq: int = Field(ge=0, description="The last seq sent on this stream")


class EventPage(BaseModel):
    """Events after a seq from the replay buffer; `complete` is false when the buffer no longer reaches back."""

    events: list[Event]
    after: int
    current_seq: int = Field(description="The last seq issued for this client")
    oldest_seq: int | None = Field(description="The oldest seq the buffer still holds")
    complete: bool = Field(description="False when some events after `after` are gone; reload the state")


class StreamTicketRead(BaseModel):
    """A single-use credential for opening the stream (`?ticket=`), valid for a few seconds."""

    ticket: str
    expires_at: datetime
