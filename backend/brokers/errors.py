"""The one broker error taxonomy.

Every adapter translates its venue's failures into these classes. ``TemporaryBrokerError`` means
the same call may succeed later, so ``backend.brokers.retry`` retries it; ``PermanentBrokerError``
means it will not, so nothing retries it. ``ambiguous`` marks failures after which an order may or
may not have reached the venue (a timeout or a disconnect mid-submit): the order path must query
and reconcile, never resubmit blindly. Each class carries the HTTP status the API renders it with.
"""

from __future__ import annotations

from typing import ClassVar


class BrokerError(Exception):
    """Anything that went wrong talking to a broker."""

    temporary: ClassVar[bool] = False
    http_status: ClassVar[int] = 502
    code: ClassVar[str] = "broker_error"

    def __init__(self, message: str, *, ambiguous: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.ambiguous = ambiguous


class TemporaryBrokerError(BrokerError):
    """A failure that may go away: retry with backoff."""

    temporary = True
    http_status = 503
    code = "broker_unavailable"


class BrokerDisconnected(TemporaryBrokerError):
    """The session to the broker is down."""

    code = "broker_disconnected"


class BrokerPacing(TemporaryBrokerError):
    """The broker asked us to slow down; ``retry_after`` is its hint in seconds."""

    http_status = 429
    code = "broker_pacing"

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BrokerTimeout(TemporaryBrokerError):
    """The broker did not answer in time."""

    http_status = 504
    code = "broker_timeout"


class BrokerUnavailable(TemporaryBrokerError):
    """The broker is up but not serving (maintenance, overload, a gateway restart)."""


class MarketDataUnavailable(TemporaryBrokerError):
    """No quote could be had right now (no subscription yet, a farm reconnecting)."""

    code = "market_data_unavailable"


class PermanentBrokerError(BrokerError):
    """A failure that retrying will not fix."""

    http_status = 422
    code = "broker_refused"


class BrokerAuthFailed(PermanentBrokerError):
    """The credentials were refused."""

    http_status = 502
    code = "broker_auth_failed"


class UnknownInstrument(PermanentBrokerError):
    """The broker knows no such contract."""

    http_status = 404
    code = "unknown_instrument"


class UnknownOrder(PermanentBrokerError):
    """The broker knows no order with that id."""

    http_status = 404
    code = "unknown_order"


class CapabilityNotSupported(PermanentBrokerError):
    """The adapter does not offer this feature (see its ``capabilities``)."""

    http_status = 501
    code = "capability_not_supported"


class DuplicateClientOrderId(PermanentBrokerError):
    """An order with this ``client_order_id`` was already placed."""

    http_status = 409
    code = "duplicate_client_order_id"


class OrderNotCancellable(PermanentBrokerError):
    """The order is already filled, cancelled, rejected or expired."""

    http_status = 409
    code = "order_not_cancellable"


class OrderRejected(PermanentBrokerError):
    """The broker refused the order; ``client_order_id`` says which one."""

    code = "order_rejected"

    def __init__(self, message: str, *, client_order_id: str | None = None) -> None:
        super().__init__(message)
        self.client_order_id = client_order_id


class InsufficientBuyingPower(OrderRejected):
    """The account cannot carry the order's cost or margin."""

    code = "insufficient_buying_power"


class MarketClosed(OrderRejected):
    """The venue is not trading now."""

    code = "market_closed"


class InvalidPriceTick(OrderRejected):
    """The limit price is not on the instrument's tick grid."""

    code = "invalid_price_tick"


class InvalidOrder(OrderRejected):
    """The order is malformed for this venue (an unsupported leg, a size it will not take)."""

    code = "invalid_order"


class UnknownContract(OrderRejected, UnknownInstrument):
    """The order names a contract the broker does not know."""

    http_status = 422
    code = "unknown_contract"
