"""The simulated venue's record of one order, from placement to its terminal state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from backend.brokers.simulator.codec import decode_request, decode_single, encode_instrument, encode_request
from backend.domain.instruments import Side
from backend.domain.orders import Execution, LegExecution, OrderRequest, OrderState, OrderStatus
from backend.domain.values import Money, Quantity

_ZERO = Decimal(0)


@dataclass
class OrderRecord:
    """A placed order and everything that has happened to it."""

    request: OrderRequest
    broker_order_id: str
    sequence: int
    placed_at: datetime
    updated_at: datetime
    status: OrderStatus = OrderStatus.PENDING_SUBMIT
    filled: Decimal = _ZERO
    filled_value: Decimal = _ZERO
    """Sum of fill price x units, for the average price (signed for combos)."""
    commission: Decimal = _ZERO
    reason: str | None = None
    executions: list[Execution] = field(default_factory=list)

    @property
    def remaining(self) -> Decimal:
        """Return the units still to fill."""
        return self.request.quantity.value - self.filled

    @property
    def is_working(self) -> bool:
        """Tell whether the order can still fill."""
        return self.status in (OrderStatus.WORKING, OrderStatus.PARTIALLY_FILLED)

    def state(self, currency: str) -> OrderState:
        """Return the port's view of this order."""
        average = self.filled_value / self.filled if self.filled else None
        return OrderState(
            request=self.request,
            broker_order_id=self.broker_order_id,
            status=self.status,
            filled_quantity=Quantity(self.filled),
            average_fill_price=average,
            commission=Money(self.commission, currency),
            updated_at=self.updated_at,
            reason=self.reason,
            executions=tuple(self.executions),
        )

    def snapshot(self) -> dict[str, Any]:
        """Return the record as JSON-serialisable data."""
        return {
            "request": encode_request(self.request),
            "broker_order_id": self.broker_order_id,
            "sequence": self.sequence,
            "placed_at": self.placed_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "status": self.status.value,
            "filled": str(self.filled),
            "filled_value": str(self.filled_value),
            "commission": str(self.commission),
            "reason": self.reason,
            "executions": [_encode_execution(e) for e in self.executions],
        }

    @classmethod
    def restore(cls, data: dict[str, Any]) -> OrderRecord:
        """Rebuild a record from ``snapshot`` output."""
        return cls(
            request=decode_request(data["request"]),
            broker_order_id=data["broker_order_id"],
            sequence=int(data["sequence"]),
            placed_at=datetime.fromisoformat(data["placed_at"]),
            updated_at=datetime.fromisoformat(data["updated_at"]),
            status=OrderStatus(data["status"]),
            filled=Decimal(data["filled"]),
            filled_value=Decimal(data["filled_value"]),
            commission=Decimal(data["commission"]),
            reason=data["reason"],
            executions=[_decode_execution(e) for e in data["executions"]],
        )


def _encode_execution(execution: Execution) -> dict[str, Any]:
    return {
        "execution_id": execution.execution_id,
        "quantity": str(execution.quantity.value),
        "price": str(execution.price),
        "commission": str(execution.commission.amount),
        "currency": execution.commission.currency,
        "ts": execution.ts.isoformat(),
        "legs": [
            {
                "execution_id": leg.execution_id,
                "instrument": encode_instrument(leg.instrument),
                "side": leg.side.value,
                "quantity": str(leg.quantity.value),
                "price": str(leg.price),
            }
            for leg in execution.legs
        ],
    }


def _decode_execution(data: dict[str, Any]) -> Execution:
    return Execution(
        execution_id=data["execution_id"],
        quantity=Quantity(Decimal(data["quantity"])),
        price=Decimal(data["price"]),
        commission=Money(Decimal(data["commission"]), data["currency"]),
        ts=datetime.fromisoformat(data["ts"]),
        legs=tuple(
            LegExecution(
                leg["execution_id"],
                decode_single(leg["instrument"]),
                Side(leg["side"]),
                Quantity(Decimal(leg["quantity"])),
                Decimal(leg["price"]),
            )
            for leg in data["legs"]
        ),
    )
