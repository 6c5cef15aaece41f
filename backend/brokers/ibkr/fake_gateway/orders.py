"""Orders at the fake gateway: IB order ids and permIds around the simulated account's orders.

The simulated account (``SimulatorBroker``) decides acceptance, fills and commissions; this module
keeps what IB adds on top (order id, client id, permId, orderRef, the BAG legs as sent) and turns
the account's order events into the messages IB would send: openOrder, orderStatus, execDetails,
commissionReport and error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from backend.brokers.errors import (
    BrokerError,
    InsufficientBuyingPower,
    InvalidPriceTick,
    MarketClosed,
    UnknownContract,
    UnknownInstrument,
)
from backend.brokers.ibkr.fake_gateway import messages as m
from backend.brokers.ibkr.fake_gateway.contracts import contract_fields, local_symbol, trading_class
from backend.brokers.ibkr.fake_gateway.wire import Field
from backend.domain.instruments import Combo, Side
from backend.domain.orders import Execution as DomainExecution
from backend.domain.orders import OrderEvent, OrderEventKind, OrderRequest, OrderStatus, OrderType

_IB_STATUS = {
    OrderStatus.PENDING_SUBMIT: "PendingSubmit",
    OrderStatus.WORKING: "Submitted",
    OrderStatus.PARTIALLY_FILLED: "Submitted",
    OrderStatus.FILLED: "Filled",
    OrderStatus.CANCELLED: "Cancelled",
    OrderStatus.REJECTED: "Inactive",
    OrderStatus.EXPIRED: "Cancelled",
}


def reject_code(error: BrokerError) -> tuple[int, str]:
    """Return the IB error code and text a venue refusal is reported with."""
    if isinstance(error, InvalidPriceTick):
        return 110, "The price does not conform to the minimum price variation for this contract."
    if isinstance(error, InsufficientBuyingPower):
        return 201, (
            "Order rejected - reason:YOUR ORDER IS NOT ACCEPTED. IN ORDER TO OBTAIN THE DESIRED POSITION "
            f"YOUR EQUITY WITH LOAN VALUE MUST EXCEED THE INITIAL MARGIN ({error.message})"
        )
    if isinstance(error, UnknownContract | UnknownInstrument):
        return 200, "No security definition has been found for the request"
    if isinstance(error, MarketClosed):
        return 201, "Order rejected - reason:The exchange is closed."
    return 201, f"Order rejected - reason:{error.message}"


@dataclass
class Execution:
    """One execution line as IB reports it (a combo fill is a BAG line plus one line per leg)."""

    order: FakeOrder
    exec_id: str
    head: list[Field]
    local: str
    t_class: str
    side: str
    shares: Decimal
    price: Decimal
    ts: datetime
    commission: Decimal
    cum_qty: Decimal
    avg_price: Decimal

    def details(self, req_id: int, account: str) -> m.Msg:
        """Return the execDetails message for this line."""
        order = self.order
        return m.exec_details(
            req_id, order.order_id, self.head, self.local, self.t_class, self.exec_id, self.ts, account,
            self.side, self.shares, self.price, order.perm_id, order.client_id, self.cum_qty,
            self.avg_price, order.request.client_order_id,
        )  # fmt: skip


@dataclass
class FakeOrder:
    """An order as the fake gateway knows it."""

    order_id: int
    client_id: int
    perm_id: int
    request: OrderRequest
    order_type: str
    tif: str
    legs: tuple[m.LegSpec, ...]
    status: OrderStatus = OrderStatus.PENDING_SUBMIT
    filled: Decimal = Decimal(0)
    filled_value: Decimal = Decimal(0)
    updated_at: datetime | None = None
    executions: list[Execution] = field(default_factory=list)
    reject: tuple[int, str] | None = None

    @property
    def average(self) -> Decimal:
        """Return the average fill price so far (0 before any fill)."""
        return self.filled_value / self.filled if self.filled else Decimal(0)

    def view(self, account: str) -> m.OrderView:
        """Return what an openOrder/completedOrder message says about this order."""
        instrument = self.request.instrument
        if isinstance(instrument, Combo):
            head, local, t_class = m.bag_head(instrument.underlying), "", "COMB"
        else:
            head, local, t_class = (
                contract_fields(instrument),
                local_symbol(instrument),
                trading_class(instrument),
            )
        limit = self.request.limit_price.value if self.request.limit_price is not None else None
        return m.OrderView(
            self.order_id, self.client_id, self.perm_id, account, self.request.side.value,
            self.request.quantity.value, self.order_type, limit, self.tif, self.request.client_order_id,
            _IB_STATUS[self.status], head, local, t_class, self.legs, self.filled,
        )  # fmt: skip

    def status_message(self, last_fill: Decimal = Decimal(0)) -> m.Msg:
        """Return the orderStatus message for the order as it stands."""
        remaining = Decimal(0) if self.status.is_terminal else self.request.quantity.value - self.filled
        return m.order_status(
            self.order_id, _IB_STATUS[self.status], self.filled, remaining, self.average, self.perm_id,
            last_fill, self.client_id,
        )  # fmt: skip


def order_type_of(request: OrderRequest) -> str:
    """Return IB's order type code."""
    return "LMT" if request.order_type is OrderType.LIMIT else "MKT"


def translate(order: FakeOrder, event: OrderEvent, account: str) -> list[m.Msg]:
    """Turn one account order event into the IB messages the order's client receives."""
    order.status = event.status
    order.updated_at = event.ts
    if event.kind is OrderEventKind.ACKNOWLEDGED:
        return [m.open_order(order.view(account)), order.status_message()]
    if event.kind is OrderEventKind.REJECTED:
        code, text = order.reject or (201, f"Order rejected - reason:{event.reason}")
        return [m.error(order.order_id, code, text)]
    if event.kind in (OrderEventKind.CANCELLED, OrderEventKind.EXPIRED):
        text = "Order Canceled - reason:" + (
            "" if event.kind is OrderEventKind.CANCELLED else (event.reason or "")
        )
        return [order.status_message(), m.error(order.order_id, 202, text)]
    execution = event.execution
    assert execution is not None  # fill events always carry one
    order.filled += execution.quantity.value
    order.filled_value += execution.price * execution.quantity.value
    lines = _lines(order, event, execution)
    order.executions.extend(lines)
    out = [line.details(-1, account) for line in lines]
    out += [
        m.commission_report(line.exec_id, line.commission, execution.commission.currency) for line in lines
    ]
    out.append(order.status_message(execution.price))
    if event.status is OrderStatus.FILLED:
        out.append(m.open_order(order.view(account)))
    return out


def _ib_side(side: Side) -> str:
    return "BOT" if side is Side.BUY else "SLD"


def _lines(order: FakeOrder, event: OrderEvent, execution: DomainExecution) -> list[Execution]:
    request, ts = order.request, execution.ts
    instrument = request.instrument
    if not isinstance(instrument, Combo):
        return [
            Execution(
                order, execution.execution_id, contract_fields(instrument), local_symbol(instrument),
                trading_class(instrument), _ib_side(request.side), execution.quantity.value, execution.price,
                ts, execution.commission.amount, order.filled, order.average,
            )
        ]  # fmt: skip
    # IB reports the BAG itself at the net price, then each leg; commissions sit on the legs.
    lines = [
        Execution(
            order, execution.execution_id, m.bag_head(instrument.underlying), "", "COMB",
            _ib_side(request.side), execution.quantity.value, execution.price, ts, Decimal(0), order.filled,
            order.average,
        )
    ]  # fmt: skip
    for index, leg in enumerate(execution.legs):
        lines.append(
            Execution(
                order, leg.execution_id, contract_fields(leg.instrument), local_symbol(leg.instrument),
                trading_class(leg.instrument), _ib_side(leg.side), leg.quantity.value, leg.price, ts,
                execution.commission.amount if index == 0 else Decimal(0), leg.quantity.value, leg.price,
            )
        )  # fmt: skip
    return lines
