"""The adapter's record of its orders, keyed by ``client_order_id`` (IB's ``orderRef``).

It turns ib_async's order callbacks into our order events: one acknowledgement, one fill event per
execution (de-duplicated by execution id, sent once its commission is known; for a combo, once the
BAG line and every leg line are in), and one terminal event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from ib_async import Fill, Trade

from backend.brokers.ibkr.parsing import decimal_of, instrument_of
from backend.brokers.streams import EventHub
from backend.domain.instruments import Side
from backend.domain.orders import (
    Execution,
    LegExecution,
    OrderEvent,
    OrderEventKind,
    OrderRequest,
    OrderState,
    OrderStatus,
)
from backend.domain.values import Money, Quantity

_ZERO = Decimal(0)


@dataclass
class _Group:
    """One top-level execution (a single order's fill, or a BAG line) and its leg lines."""

    exec_id: str
    shares: Decimal
    price: Decimal
    ts: datetime
    legs: list[Fill] = field(default_factory=list)
    sent: bool = False


@dataclass
class TrackedOrder:
    """One order we placed (or adopted after a restart)."""

    request: OrderRequest
    order_id: int = 0
    perm_id: int = 0
    status: OrderStatus = OrderStatus.PENDING_SUBMIT
    updated_at: datetime | None = None
    reason: str | None = None
    acknowledged: bool = False
    ambiguous: bool = False
    """Sent, but the outcome was lost with the connection: reconcile before anything else."""
    executions: list[Execution] = field(default_factory=list)
    groups: dict[str, _Group] = field(default_factory=dict)
    commissions: dict[str, Decimal] = field(default_factory=dict)

    @property
    def filled(self) -> Decimal:
        """Return the units filled so far."""
        return sum((e.quantity.value for e in self.executions), _ZERO)

    def state(self, currency: str, now: datetime) -> OrderState:
        """Return the port's view of this order."""
        filled = self.filled
        value = sum((e.price * e.quantity.value for e in self.executions), _ZERO)
        return OrderState(
            request=self.request,
            broker_order_id=str(self.perm_id or self.order_id),
            status=self.status,
            filled_quantity=Quantity(filled),
            average_fill_price=value / filled if filled else None,
            commission=Money(sum((e.commission.amount for e in self.executions), _ZERO), currency),
            updated_at=self.updated_at or now,
            reason=self.reason,
            executions=tuple(self.executions),
        )


class OrderBook:
    """Every tracked order and the event stream they feed."""

    def __init__(self, currency: str = "USD") -> None:
        self.currency = currency
        self.orders: dict[str, TrackedOrder] = {}
        self.hub: EventHub[OrderEvent] = EventHub()
        self._seen_exec_ids: set[str] = set()

    def get(self, client_order_id: str) -> TrackedOrder | None:
        """Return a tracked order."""
        return self.orders.get(client_order_id)

    def add(self, order: TrackedOrder) -> None:
        """Start tracking an order."""
        self.orders[order.request.client_order_id] = order

    def publish(
        self, order: TrackedOrder, kind: OrderEventKind, now: datetime, execution: Execution | None = None
    ) -> None:
        """Publish one event for ``order``."""
        order.updated_at = now
        remaining = _ZERO if order.status.is_terminal else order.request.quantity.value - order.filled
        self.hub.publish(
            OrderEvent(
                kind, order.request.client_order_id, str(order.perm_id or order.order_id), order.status,
                Quantity(order.filled), Quantity(max(remaining, _ZERO)), now, execution, order.reason,
            )
        )  # fmt: skip

    # -- from ib_async ----------------------------------------------------------------------------

    def acknowledge(self, order: TrackedOrder, now: datetime) -> None:
        """Publish the acknowledgement once."""
        if order.acknowledged:
            return
        order.acknowledged = True
        order.ambiguous = False
        if order.status is OrderStatus.PENDING_SUBMIT:
            order.status = OrderStatus.WORKING
        self.publish(order, OrderEventKind.ACKNOWLEDGED, now)

    def finish(self, order: TrackedOrder, status: OrderStatus, reason: str | None, now: datetime) -> None:
        """Move an order to a terminal status other than filled, and publish it once."""
        if order.status.is_terminal:
            return
        order.status, order.reason, order.ambiguous = status, reason, False
        kind = {
            OrderStatus.CANCELLED: OrderEventKind.CANCELLED,
            OrderStatus.REJECTED: OrderEventKind.REJECTED,
            OrderStatus.EXPIRED: OrderEventKind.EXPIRED,
        }[status]
        self.publish(order, kind, now)

    def on_execution(self, order: TrackedOrder, fill: Fill, now: datetime) -> None:
        """Record an execution line (de-duplicated by execution id)."""
        execution = fill.execution
        exec_id = execution.execId
        if not exec_id or exec_id in self._seen_exec_ids:
            return
        self._seen_exec_ids.add(exec_id)
        shares = decimal_of(execution.shares) or _ZERO
        price = decimal_of(execution.price) or _ZERO
        ts = execution.time if execution.time.tzinfo is not None else now
        if not order.request.is_combo or fill.contract.secType == "BAG":
            order.groups[exec_id] = _Group(exec_id, shares, price, ts)
        else:
            pending = [g for g in order.groups.values() if not g.sent and len(g.legs) < _leg_count(order)]
            if pending:
                pending[0].legs.append(fill)
        self.try_complete(order, now)

    def on_commission(self, order: TrackedOrder, exec_id: str, commission: float, now: datetime) -> None:
        """Record an execution's commission and publish any fill it completes."""
        order.commissions[exec_id] = decimal_of(commission) or _ZERO
        self.try_complete(order, now)

    def try_complete(self, order: TrackedOrder, now: datetime, *, force: bool = False) -> None:
        """Publish every execution whose lines and commissions are all in (all of them when forced)."""
        for group in order.groups.values():
            if group.sent:
                continue
            leg_ids = [leg.execution.execId for leg in group.legs]
            complete = (
                (not order.request.is_combo or len(group.legs) >= _leg_count(order))
                and (order.request.is_combo or group.exec_id in order.commissions)
                and all(i in order.commissions for i in leg_ids)
            )
            if complete or force:
                self._publish_fill(order, group, now)

    def _publish_fill(self, order: TrackedOrder, group: _Group, now: datetime) -> None:
        group.sent = True
        fee = order.commissions.get(group.exec_id, _ZERO) + sum(
            (order.commissions.get(leg.execution.execId, _ZERO) for leg in group.legs), _ZERO
        )
        legs = []
        for leg in group.legs:
            instrument = instrument_of(leg.contract)
            if instrument is None:
                continue
            legs.append(
                LegExecution(
                    leg.execution.execId, instrument, Side.BUY if leg.execution.side == "BOT" else Side.SELL,
                    Quantity(decimal_of(leg.execution.shares) or _ZERO), decimal_of(leg.execution.price) or _ZERO,
                )
            )  # fmt: skip
        execution = Execution(
            group.exec_id,
            Quantity(group.shares),
            group.price,
            Money(fee, self.currency),
            group.ts,
            tuple(legs),
        )
        order.executions.append(execution)
        done = order.filled >= order.request.quantity.value
        order.status = OrderStatus.FILLED if done else OrderStatus.PARTIALLY_FILLED
        order.ambiguous = False
        if not order.acknowledged:
            self.acknowledge(order, now)
        self.publish(
            order, OrderEventKind.FILLED if done else OrderEventKind.PARTIALLY_FILLED, now, execution
        )

    def adopt_trade(self, order: TrackedOrder, trade: Trade) -> None:
        """Remember IB's ids of an order found again (after a reconnect or a restart)."""
        order.order_id = trade.order.orderId or order.order_id
        order.perm_id = trade.order.permId or trade.orderStatus.permId or order.perm_id


def _leg_count(order: TrackedOrder) -> int:
    instrument = order.request.instrument
    return len(getattr(instrument, "legs", ()))
