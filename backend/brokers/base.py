"""The broker port: what every adapter (simulator, IBKR, Phillip) offers, and the values it speaks.

Callers branch on ``capabilities``, never on which broker they hold. Every method may raise a
``backend.brokers.errors.BrokerError``; temporary ones can go through ``backend.brokers.retry``.
Rejections of a placed order are raised from ``place_order`` as ``OrderRejected`` subclasses *and*
published as a ``rejected`` event, so both the caller and event consumers see them.

The ``*_events``/``stream_*`` methods are plain (not ``async``) and return an ``EventStream`` that
is subscribed when the method returns, so nothing published after the call is missed; close it
(``await stream.aclose()``) or use ``async with`` to unsubscribe.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol, Self, TypeVar, runtime_checkable

from backend.domain.instruments import Option, SingleInstrument, Stock
from backend.domain.orders import OrderEvent, OrderRequest, OrderState, require_aware
from backend.domain.ticks import PENNY_PILOT, TickSchedule
from backend.domain.values import InvalidValue, Money, Price, Quantity

T_co = TypeVar("T_co", covariant=True)


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What an adapter can do; check these instead of the broker's name."""

    options: bool = True
    combos: bool = False
    streaming: bool = False
    native_greeks: bool = False
    delayed_data: bool = False
    amend: bool = False
    market_orders: bool = True
    gtc: bool = True
    partial_fills: bool = True
    exchange_timezone: str = "America/New_York"
    """The venue's time zone: its trading day, the one daily loss counts over, turns over at its midnight."""


class ConnectionState(StrEnum):
    """Where the session to the broker stands."""

    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ConnectionEvent:
    """The session moved to ``state``."""

    state: ConnectionState
    ts: datetime
    reason: str | None = None

    def __post_init__(self) -> None:
        require_aware(self.ts, "connection event time")


class DataSource(StrEnum):
    """Where a quote comes from: a live feed, a delayed one, the last close, or our own model."""

    LIVE = "live"
    DELAYED = "delayed"
    FROZEN = "frozen"
    COMPUTED = "computed"


@dataclass(frozen=True, slots=True)
class Greeks:
    """Option sensitivities: vega per vol point, theta per calendar day, rho per 1% rate."""

    delta: float
    gamma: float
    vega: float
    theta: float
    rho: float


@dataclass(frozen=True, slots=True)
class Quote:
    """A top-of-book snapshot for one instrument; greeks and IV only for options."""

    instrument: SingleInstrument
    bid: Price | None
    ask: Price | None
    last: Price | None
    bid_size: Quantity | None
    ask_size: Quantity | None
    volume: Quantity | None
    open_interest: Quantity | None
    data_source: DataSource
    ts: datetime
    greeks: Greeks | None = None
    implied_volatility: float | None = None
    underlying_price: Price | None = None

    def __post_init__(self) -> None:
        require_aware(self.ts, "quote time")
        if self.bid is not None and self.ask is not None and self.bid > self.ask:
            raise InvalidValue(f"crossed quote for {self.instrument.key}: {self.bid} > {self.ask}")

    @property
    def mid(self) -> Decimal | None:
        """Return the bid/ask midpoint, or ``None`` without a two-sided market."""
        if self.bid is None or self.ask is None:
            return None
        return (self.bid.value + self.ask.value) / 2

    def stamped(self, ts: datetime) -> Quote:
        """Return the same quote as of `ts` (half the cost of `dataclasses.replace`, which the simulator paid per option)."""
        return Quote(
            self.instrument,
            self.bid,
            self.ask,
            self.last,
            self.bid_size,
            self.ask_size,
            self.volume,
            self.open_interest,
            self.data_source,
            ts,
            self.greeks,
            self.implied_volatility,
            self.underlying_price,
        )


@dataclass(frozen=True, slots=True)
class OptionChain:
    """The listed expiries and strikes of one underlying's options."""

    underlying: str
    trading_class: str
    multiplier: int
    exchange: str
    currency: str
    expiries: tuple[date, ...]
    strikes_by_expiry: Mapping[date, tuple[Price, ...]] = field(hash=False)
    ticks: TickSchedule = PENNY_PILOT
    """The single-leg tick schedule of this option class (complex orders trade in pennies)."""

    @property
    def strikes(self) -> tuple[Price, ...]:
        """Return every strike listed in any expiry, ascending."""
        return tuple(sorted({s for strikes in self.strikes_by_expiry.values() for s in strikes}))

    def strikes_for(self, expiry: date) -> tuple[Price, ...]:
        """Return the strikes listed for ``expiry`` (empty if it is not listed)."""
        return self.strikes_by_expiry.get(expiry, ())


@dataclass(frozen=True, slots=True)
class Position:
    """A holding: signed quantity (negative is short) and average cost per unit before multiplier."""

    instrument: SingleInstrument
    quantity: Decimal
    average_cost: Decimal
    market_price: Decimal | None
    market_value: Money
    unrealized_pnl: Money
    realized_pnl: Money


@dataclass(frozen=True, slots=True)
class AccountSummary:
    """Balances of one account, all in its base currency."""

    account_id: str
    cash: Money
    net_liquidation: Money
    buying_power: Money
    margin_requirement: Money
    realized_pnl: Money
    unrealized_pnl: Money
    ts: datetime

    def __post_init__(self) -> None:
        require_aware(self.ts, "account summary time")


class PositionEventKind(StrEnum):
    """What happened to a position outside an order."""

    EXERCISED = "exercised"
    ASSIGNED = "assigned"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class PositionEvent:
    """An option position was exercised, assigned or expired; ``delivered`` is the stock moved."""

    kind: PositionEventKind
    instrument: Option
    quantity: Decimal
    ts: datetime
    delivered: Stock | None = None
    delivered_quantity: Decimal = Decimal(0)
    settlement_price: Decimal | None = None
    event_id: str = ""

    def __post_init__(self) -> None:
        require_aware(self.ts, "position event time")


@dataclass(frozen=True, slots=True)
class PlacedOrder:
    """What we booked of an order an earlier broker session placed, for a new session to follow it."""

    request: OrderRequest
    broker_order_id: str
    """Empty when the broker never acknowledged it (its send went unanswered)."""
    filled_quantity: Quantity
    average_fill_price: Decimal | None
    sent_at: datetime

    def __post_init__(self) -> None:
        require_aware(self.sent_at, "sent_at")


class EventStream(Protocol[T_co]):
    """A subscription: iterate it, then close it."""

    def __aiter__(self) -> AsyncIterator[T_co]:
        """Return the iterator (the stream itself)."""
        ...

    async def __anext__(self) -> T_co:
        """Wait for the next event; stop when the stream is closed."""
        ...

    async def aclose(self) -> None:
        """Unsubscribe and end the iteration."""
        ...

    async def __aenter__(self) -> Self:
        """Return the stream itself."""
        ...

    async def __aexit__(self, *exc: object) -> None:
        """Close the stream."""
        ...


@runtime_checkable
class BrokerPort(Protocol):
    """The async interface every broker adapter implements for one client's account."""

    @property
    def capabilities(self) -> Capabilities:
        """Return what this adapter supports."""
        ...

    @property
    def state(self) -> ConnectionState:
        """Return the session's current state."""
        ...

    async def connect(self) -> None:
        """Open the session; raise ``BrokerAuthFailed`` or a temporary error on failure."""
        ...

    async def close(self) -> None:
        """Close the session and end every stream."""
        ...

    def connection_events(self) -> EventStream[ConnectionEvent]:
        """Subscribe to session state changes."""
        ...

    async def resolve_instrument(self, instrument: SingleInstrument) -> SingleInstrument:
        """Return the broker's fully specified contract; raise ``UnknownInstrument``."""
        ...

    async def option_chain(self, underlying: str) -> OptionChain:
        """Return the listed expiries and strikes for ``underlying``."""
        ...

    async def quotes(self, instruments: Sequence[SingleInstrument]) -> list[Quote]:
        """Return one current quote per instrument, in order."""
        ...

    def stream_quotes(self, instruments: Sequence[SingleInstrument]) -> EventStream[Quote]:
        """Subscribe to quote updates for ``instruments``."""
        ...

    async def place_order(self, request: OrderRequest) -> OrderState:
        """Send an order once; return its state after the broker's acknowledgement."""
        ...

    async def cancel_order(self, client_order_id: str) -> OrderState:
        """Ask the broker to cancel a working order; return its state."""
        ...

    async def order_status(self, client_order_id: str) -> OrderState:
        """Return the broker's view of one order; raise ``UnknownOrder``."""
        ...

    async def open_orders(self) -> list[OrderState]:
        """Return every order still working."""
        ...

    async def resume_order(self, placed: PlacedOrder) -> OrderState:
        """Follow an order an earlier session placed (a restart, a takeover); raise ``UnknownOrder``."""
        ...

    def order_events(self) -> EventStream[OrderEvent]:
        """Subscribe to acknowledgements, fills, cancels, rejects and expiries."""
        ...

    def position_events(self) -> EventStream[PositionEvent]:
        """Subscribe to exercises, assignments and expiries."""
        ...

    async def positions(self) -> list[Position]:
        """Return every non-zero position with its average cost."""
        ...

    async def account_summary(self) -> AccountSummary:
        """Return cash, net liquidation, buying power and P&L."""
        ...
