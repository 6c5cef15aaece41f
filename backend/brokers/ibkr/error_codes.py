"""The one table from IB error codes to our broker error taxonomy.

IB reports errors, warnings and plain notices through the same ``error`` message. Each code here
says which it is and, for errors, which ``BrokerError`` class stands for it. 201 ("order rejected")
is refined by its text, because IB puts the real reason (margin, closed market) only there.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from backend.brokers.errors import (
    BrokerDisconnected,
    BrokerError,
    BrokerPacing,
    BrokerUnavailable,
    InsufficientBuyingPower,
    InvalidOrder,
    InvalidPriceTick,
    MarketClosed,
    MarketDataUnavailable,
    OrderNotCancellable,
    OrderRejected,
    PermanentBrokerError,
    UnknownContract,
    UnknownInstrument,
    UnknownOrder,
)


class Kind(StrEnum):
    """What a code is about, which decides who handles it."""

    INFO = "info"
    """A notice (farm connected, data restored): log it, nothing failed."""
    CONNECTIVITY = "connectivity"
    """The gateway's link to IB or our socket to the gateway."""
    MARKET_DATA = "market_data"
    REQUEST = "request"
    ORDER = "order"


@dataclass(frozen=True, slots=True)
class IbCode:
    """One IB message code and what it means to us."""

    code: int
    kind: Kind
    error: type[BrokerError] | None
    meaning: str

    @property
    def informational(self) -> bool:
        """Tell whether the code reports no failure."""
        return self.error is None


_ROWS: tuple[IbCode, ...] = (
    IbCode(100, Kind.REQUEST, BrokerPacing, "max rate of messages per second exceeded"),
    IbCode(102, Kind.ORDER, InvalidOrder, "duplicate ticker id"),
    IbCode(103, Kind.ORDER, InvalidOrder, "duplicate order id"),
    IbCode(104, Kind.ORDER, InvalidOrder, "cannot modify a filled order"),
    IbCode(105, Kind.ORDER, InvalidOrder, "order being modified does not match the original order"),
    IbCode(110, Kind.ORDER, InvalidPriceTick, "price does not conform to the minimum price variation"),
    IbCode(135, Kind.ORDER, UnknownOrder, "cannot find order with that id"),
    IbCode(161, Kind.ORDER, OrderNotCancellable, "cancel attempted when order is not cancellable"),
    IbCode(162, Kind.REQUEST, BrokerPacing, "historical market data pacing violation"),
    IbCode(200, Kind.REQUEST, UnknownInstrument, "no security definition found"),
    IbCode(201, Kind.ORDER, OrderRejected, "order rejected"),
    IbCode(202, Kind.ORDER, None, "order cancelled"),
    IbCode(203, Kind.ORDER, InvalidOrder, "security not available or allowed for this account"),
    IbCode(300, Kind.MARKET_DATA, PermanentBrokerError, "cannot find ticker id"),
    IbCode(321, Kind.REQUEST, InvalidOrder, "error validating request"),
    IbCode(322, Kind.REQUEST, BrokerUnavailable, "error processing request"),
    IbCode(326, Kind.CONNECTIVITY, BrokerUnavailable, "client id already in use"),
    IbCode(354, Kind.MARKET_DATA, MarketDataUnavailable, "market data not subscribed"),
    IbCode(399, Kind.ORDER, None, "order message warning (held or adjusted)"),
    IbCode(404, Kind.ORDER, None, "shares not available for short sale, order held"),
    IbCode(502, Kind.CONNECTIVITY, BrokerUnavailable, "could not connect to TWS"),
    IbCode(504, Kind.CONNECTIVITY, BrokerDisconnected, "not connected"),
    IbCode(1100, Kind.CONNECTIVITY, BrokerDisconnected, "connectivity between IB and TWS lost"),
    IbCode(1101, Kind.CONNECTIVITY, None, "connectivity restored, market data lost: resubscribe"),
    IbCode(1102, Kind.CONNECTIVITY, None, "connectivity restored, data maintained"),
    IbCode(1300, Kind.CONNECTIVITY, BrokerDisconnected, "socket port reset"),
    IbCode(2103, Kind.INFO, None, "market data farm connection broken"),
    IbCode(2104, Kind.INFO, None, "market data farm connection OK"),
    IbCode(2105, Kind.INFO, None, "historical data farm connection broken"),
    IbCode(2106, Kind.INFO, None, "historical data farm connection OK"),
    IbCode(2107, Kind.INFO, None, "historical data farm inactive"),
    IbCode(2108, Kind.INFO, None, "market data farm inactive"),
    IbCode(2109, Kind.INFO, None, "outside-RTH attribute ignored"),
    IbCode(2119, Kind.INFO, None, "market data farm connecting"),
    IbCode(2157, Kind.INFO, None, "sec-def data farm connection broken"),
    IbCode(2158, Kind.INFO, None, "sec-def data farm connection OK"),
    IbCode(10089, Kind.MARKET_DATA, MarketDataUnavailable, "market data needs an API subscription"),
    IbCode(10090, Kind.MARKET_DATA, MarketDataUnavailable, "part of the market data is not subscribed"),
    IbCode(10147, Kind.ORDER, UnknownOrder, "order id to cancel not found"),
    IbCode(10148, Kind.ORDER, OrderNotCancellable, "order cannot be cancelled in its state"),
    IbCode(10167, Kind.MARKET_DATA, None, "not subscribed: displaying delayed market data"),
    IbCode(10168, Kind.MARKET_DATA, MarketDataUnavailable, "not subscribed and delayed data not enabled"),
    IbCode(10197, Kind.MARKET_DATA, MarketDataUnavailable, "live data taken by a competing session"),
)

IB_CODES: dict[int, IbCode] = {row.code: row for row in _ROWS}
DELAYED_FALLBACK_CODES = frozenset({354, 10089, 10090, 10197})
"""Live data refused in a way that delayed data would answer."""
RESUBSCRIBE_CODES = frozenset({1101})
NOTICE_RANGE = range(2100, 2200)
"""IB's notices are 2100-2199; unknown codes there are informational too."""


def lookup(code: int) -> IbCode:
    """Return what ``code`` means; unknown codes are request errors (notices if in 2100-2199)."""
    row = IB_CODES.get(code)
    if row is not None:
        return row
    if code in NOTICE_RANGE:
        return IbCode(code, Kind.INFO, None, "notice")
    return IbCode(code, Kind.REQUEST, PermanentBrokerError, "unlisted IB error")


def is_informational(code: int) -> bool:
    """Tell whether ``code`` reports nothing that failed."""
    return lookup(code).informational


def _rejection(text: str) -> type[OrderRejected]:
    lowered = text.lower()
    if "margin" in lowered or "equity with loan" in lowered or "insufficient" in lowered:
        return InsufficientBuyingPower
    if "closed" in lowered or "outside of trading hours" in lowered:
        return MarketClosed
    return OrderRejected


def to_error(code: int, text: str, *, client_order_id: str | None = None) -> BrokerError:
    """Build the ``BrokerError`` for an IB error (an order one when ``client_order_id`` is given)."""
    row = lookup(code)
    message = f"IB {code}: {text}"
    cls = row.error or PermanentBrokerError
    if client_order_id is not None:
        if code == 201:
            cls = _rejection(text)
        elif code == 200:
            cls = UnknownContract
        if issubclass(cls, OrderRejected):
            return cls(message, client_order_id=client_order_id)
    if issubclass(cls, OrderRejected):
        return cls(message, client_order_id=client_order_id)
    if issubclass(cls, BrokerPacing):
        return BrokerPacing(message, retry_after=1.0)
    return cls(message)
