"""Our record of an order placed through POEMS, and how each POEMS report moves it along.

POEMS knows orders by its ``orderNo`` and reports fills as a cumulative quantity and average
price, with no execution ids and no client order id. So the adapter keeps the
``client_order_id -> orderNo`` map, and turns each increase of the cumulative fill into one
execution whose id is ``<orderNo>-<cumulative quantity>``: the same report always yields the same
id, so consumers can de-duplicate fills across restarts of the polling loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from backend.brokers.base import PlacedOrder
from backend.brokers.phillip.parsing import Counter, PoemsOrder, fill_delta
from backend.domain.instruments import Side, Stock
from backend.domain.orders import (
    Execution,
    OrderEvent,
    OrderEventKind,
    OrderRequest,
    OrderState,
    OrderStatus,
    TimeInForce,
)
from backend.domain.values import Money, NetPrice, Quantity

_ZERO = Decimal(0)
_TERMINAL_KINDS = {
    OrderStatus.CANCELLED: OrderEventKind.CANCELLED,
    OrderStatus.EXPIRED: OrderEventKind.EXPIRED,
    OrderStatus.REJECTED: OrderEventKind.REJECTED,
}


@dataclass
class TrackedOrder:
    """One order this adapter placed (or adopted), as far as POEMS has told us."""

    request: OrderRequest
    currency: str
    updated_at: datetime
    counter_id: str = ""
    order_no: str | None = None
    status: OrderStatus = OrderStatus.PENDING_SUBMIT
    filled: Decimal = _ZERO
    average: Decimal | None = None
    reason: str | None = None
    executions: list[Execution] = field(default_factory=list)
    listed_before: frozenset[str] = frozenset()
    """The order numbers POEMS listed just before this order's submit: none of them can be it."""
    lost_submit_at: datetime | None = None
    """When its submit went unanswered (it may be live): set until it is found in POEMS's list or given up."""
    submitted_after: datetime | None = None
    """For an order resumed with no snapshot of the list before it: POEMS took it no earlier than this."""

    def could_be(self, report: PoemsOrder) -> bool:
        """Tell whether a listed order, new since the submit, has exactly this order's terms."""
        request = self.request
        return (
            report.order_no not in self.listed_before
            and report.counter_id == self.counter_id
            and report.side is request.side
            and report.quantity == request.quantity.value
            and request.limit_price is not None
            and report.price == request.limit_price.value
            and (
                self.submitted_after is None
                or (report.submitted_at is not None and report.submitted_at >= self.submitted_after)
            )
        )

    @property
    def client_order_id(self) -> str:
        """Return the caller's id."""
        return self.request.client_order_id

    def state(self) -> OrderState:
        """Return the port's view of this order."""
        return OrderState(
            request=self.request,
            broker_order_id=self.order_no or "",
            status=self.status,
            filled_quantity=Quantity(self.filled),
            average_fill_price=self.average,
            commission=Money.zero(self.currency),
            updated_at=self.updated_at,
            reason=self.reason,
            executions=tuple(self.executions),
        )

    def event(self, kind: OrderEventKind, execution: Execution | None = None) -> OrderEvent:
        """Return an event of ``kind`` carrying this order's current progress."""
        remaining = _ZERO if self.status.is_terminal else self.request.quantity.value - self.filled
        return OrderEvent(
            kind=kind,
            client_order_id=self.client_order_id,
            broker_order_id=self.order_no or "",
            status=self.status,
            filled_quantity=Quantity(self.filled),
            remaining_quantity=Quantity(max(remaining, _ZERO)),
            ts=self.updated_at,
            execution=execution,
            reason=self.reason,
        )


def resumed(placed: PlacedOrder, counter: Counter, now: datetime, clock_skew: timedelta) -> TrackedOrder:
    """Rebuild our record of an order an earlier session placed, from what was booked of it."""
    order = TrackedOrder(placed.request, counter.currency, now, counter.counter_id)
    # Fills booked already stay booked: the next report's fill is counted from here, so its
    # execution id (<orderNo>-<cumulative quantity>) continues the earlier session's.
    order.filled, order.average = placed.filled_quantity.value, placed.average_fill_price
    if placed.broker_order_id:
        order.order_no = placed.broker_order_id
        order.status = OrderStatus.PARTIALLY_FILLED if order.filled > 0 else OrderStatus.WORKING
    else:
        # No list was read before its send here: POEMS's order times bound the search instead.
        order.lost_submit_at = placed.sent_at
        order.submitted_after = placed.sent_at - clock_skew
        order.reason = "submit outcome unknown: resumed by a new session"
    return order


def adopt(report: PoemsOrder, stock: Stock, currency: str) -> TrackedOrder:
    """Build a record for an order placed outside this adapter (e.g. in the POEMS app)."""
    request = OrderRequest(
        client_order_id=f"poems-{report.order_no}",
        instrument=stock,
        side=report.side,
        quantity=Quantity(report.quantity if report.quantity > 0 else Decimal(1)),
        limit_price=NetPrice(report.price if report.price is not None else _ZERO),
        time_in_force=TimeInForce.DAY,
    )
    return TrackedOrder(request, currency, report.updated_at, report.counter_id, report.order_no)


def apply_report(order: TrackedOrder, report: PoemsOrder) -> list[OrderEvent]:
    """Move ``order`` to what ``report`` says and return the events that happened on the way."""
    events: list[OrderEvent] = []
    if report.executed_quantity > order.filled and report.executed_price is not None:
        quantity, price = fill_delta(
            order.filled, order.average, report.executed_quantity, report.executed_price
        )
        order.filled, order.average = report.executed_quantity, report.executed_price
        order.updated_at = max(order.updated_at, report.updated_at)
        done = order.filled >= order.request.quantity.value or report.status is OrderStatus.FILLED
        order.status = OrderStatus.FILLED if done else OrderStatus.PARTIALLY_FILLED
        execution = Execution(
            execution_id=f"{order.order_no}-{order.filled.normalize():f}",
            quantity=Quantity(quantity),
            price=price,
            commission=Money.zero(order.currency),
            ts=order.updated_at,
        )
        order.executions.append(execution)
        kind = OrderEventKind.FILLED if done else OrderEventKind.PARTIALLY_FILLED
        events.append(order.event(kind, execution))
    terminal = _TERMINAL_KINDS.get(report.status)
    if terminal is not None and not order.status.is_terminal:
        order.status = report.status
        order.reason = report.description or f"POEMS status {report.status_code}"
        order.updated_at = max(order.updated_at, report.updated_at)
        events.append(order.event(terminal))
    elif report.status is OrderStatus.WORKING and order.status is OrderStatus.PENDING_SUBMIT:
        order.status = OrderStatus.WORKING
        events.append(order.event(OrderEventKind.ACKNOWLEDGED))
    return events


def order_form(
    counter_id: str, request: OrderRequest, *, settlement_currency: str, payment_mode: str
) -> dict[str, str]:
    """Return the form POEMS validates and then submits for a limit order on a stock."""
    assert request.limit_price is not None  # the adapter refuses market orders before this
    return {
        "counterID": counter_id,
        "action": "1" if request.side is Side.BUY else "2",
        "orderType": "LO",
        "limitPrice": f"{request.limit_price.value:f}",
        "quantity": f"{request.quantity.value.normalize():f}",
        "settlementCurrency": settlement_currency,
        "payment": payment_mode,
        "validity": "0",
    }
