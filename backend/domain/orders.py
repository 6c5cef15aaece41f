"""Order commands and order events as they cross the broker port.

``OrderRequest`` is the command (imperative: place this); ``OrderEvent`` kinds are past tense
(acknowledged, partially filled, filled, cancelled, rejected, expired).

Price convention: ``limit_price`` is the price of one unit of the instrument as written, per share
(before the contract multiplier). For a stock or an option it is never negative. For a combo it is
the signed net price of one combo unit: the sum over legs of ``leg price x ratio``, added for bought
legs and subtracted for sold legs. A BUY pays that price, so a positive net price is a debit and a
negative one a credit received; a SELL of the same combo receives it. So "sell the 500/505 call
spread for a 1.20 credit" is either ``SELL Combo(+500C, -505C) at 1.20`` or
``BUY Combo(-500C, +505C) at -1.20``; both are the same trade.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from backend.domain.instruments import Combo, Instrument, Side, SingleInstrument
from backend.domain.values import InvalidValue, Money, NetPrice, Quantity

_CLIENT_ORDER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")


class OrderType(StrEnum):
    """How the price of an order is set."""

    LIMIT = "LMT"
    MARKET = "MKT"


class TimeInForce(StrEnum):
    """How long an order works: until the session's close or until cancelled."""

    DAY = "DAY"
    GTC = "GTC"


def require_aware(ts: datetime, what: str = "timestamp") -> datetime:
    """Return ``ts`` if it carries a timezone, else raise."""
    if ts.tzinfo is None or ts.utcoffset() is None:
        raise InvalidValue(f"{what} must be timezone-aware, got {ts!r}")
    return ts


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """Place an order: one instrument or combo, a side, a size, a price rule and a lifetime."""

    client_order_id: str
    instrument: Instrument
    side: Side
    quantity: Quantity
    order_type: OrderType = OrderType.LIMIT
    limit_price: NetPrice | None = None
    time_in_force: TimeInForce = TimeInForce.DAY

    def __post_init__(self) -> None:
        if not _CLIENT_ORDER_ID.match(self.client_order_id):
            raise InvalidValue(f"client_order_id is not valid: {self.client_order_id!r}")
        if self.quantity.value <= 0 or not self.quantity.is_whole:
            raise InvalidValue(f"quantity must be a positive whole number, got {self.quantity}")
        if self.order_type is OrderType.LIMIT and self.limit_price is None:
            raise InvalidValue("a limit order needs a limit price")
        if self.order_type is OrderType.MARKET and self.limit_price is not None:
            raise InvalidValue("a market order takes no limit price")
        if (
            self.limit_price is not None
            and not isinstance(self.instrument, Combo)
            and self.limit_price.value < 0
        ):
            raise InvalidValue("only a combo can have a negative limit price")

    @property
    def is_combo(self) -> bool:
        """Tell whether the order is on a multi-leg combo."""
        return isinstance(self.instrument, Combo)


class OrderStatus(StrEnum):
    """Where an order stands at the broker."""

    PENDING_SUBMIT = "pending_submit"
    WORKING = "working"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    EXPIRED = "expired"

    @property
    def is_terminal(self) -> bool:
        """Tell whether the order can change no more."""
        return self in _TERMINAL


_TERMINAL = frozenset({OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.EXPIRED})


class OrderEventKind(StrEnum):
    """What happened to an order."""

    ACKNOWLEDGED = "ack"
    PARTIALLY_FILLED = "partial_fill"
    FILLED = "fill"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class LegExecution:
    """The part of a combo execution on one leg."""

    execution_id: str
    instrument: SingleInstrument
    side: Side
    quantity: Quantity
    price: Decimal


@dataclass(frozen=True, slots=True)
class Execution:
    """One fill: a quantity at a price, with its commission and, for a combo, its legs."""

    execution_id: str
    quantity: Quantity
    price: Decimal
    commission: Money
    ts: datetime
    legs: tuple[LegExecution, ...] = ()

    def __post_init__(self) -> None:
        require_aware(self.ts, "execution time")
        if self.quantity.value <= 0:
            raise InvalidValue("an execution fills a positive quantity")


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """Something that happened to an order; ``execution`` is set on (partial) fills."""

    kind: OrderEventKind
    client_order_id: str
    broker_order_id: str
    status: OrderStatus
    filled_quantity: Quantity
    remaining_quantity: Quantity
    ts: datetime
    execution: Execution | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        require_aware(self.ts, "event time")
        is_fill = self.kind in (OrderEventKind.PARTIALLY_FILLED, OrderEventKind.FILLED)
        if is_fill != (self.execution is not None):
            raise InvalidValue("fill events, and only they, carry an execution")


@dataclass(frozen=True, slots=True)
class OrderState:
    """The broker's current view of one order."""

    request: OrderRequest
    broker_order_id: str
    status: OrderStatus
    filled_quantity: Quantity
    average_fill_price: Decimal | None
    commission: Money
    updated_at: datetime
    reason: str | None = None
    executions: tuple[Execution, ...] = field(default=())

    @property
    def client_order_id(self) -> str:
        """Return the id the caller chose."""
        return self.request.client_order_id

    @property
    def remaining_quantity(self) -> Quantity:
        """Return what is left to fill (nothing once the order is terminal)."""
        if self.status.is_terminal:
            return Quantity(Decimal(0))
        return Quantity(self.request.quantity.value - self.filled_quantity.value)
