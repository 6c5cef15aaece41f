"""POEMS result codes mapped onto our broker error taxonomy.

Every POEMS response carries ``{"code": ..., "msg": ...}`` and ``code == 1`` is success. The public
pages we could read do not list the failure codes, so the numbers below are our assumption (the
stand-in uses exactly these; see docs/brokers/phillip.md). Unknown codes fall back on the message's
wording, then on a generic refusal; the broker's message is always kept in the error.
"""

from __future__ import annotations

from enum import IntEnum

from backend.brokers.errors import (
    BrokerAuthFailed,
    BrokerError,
    BrokerUnavailable,
    CapabilityNotSupported,
    InsufficientBuyingPower,
    InvalidOrder,
    InvalidPriceTick,
    MarketClosed,
    OrderNotCancellable,
    OrderRejected,
    PermanentBrokerError,
    UnknownContract,
    UnknownInstrument,
    UnknownOrder,
)


class PoemsCode(IntEnum):
    """Result codes of the POEMS API (1 is documented; the rest are assumed)."""

    SUCCESS = 1
    FAILED = 0
    SYSTEM_BUSY = -1
    SESSION_EXPIRED = -2
    COUNTER_NOT_FOUND = 1001
    ORDER_NOT_FOUND = 1002
    INSUFFICIENT_LIMIT = 2001
    INVALID_PRICE_TICK = 2002
    INVALID_QUANTITY = 2003
    MARKET_CLOSED = 2004
    ORDER_NOT_AMENDABLE = 2005
    INVALID_AUTH_TOKEN = 2006
    PRICE_OUT_OF_RANGE = 2007
    NOT_ENTITLED = 3001
    PASSWORD_REQUIRED = 9001


_ORDER_ERRORS: dict[int, type[OrderRejected]] = {
    PoemsCode.COUNTER_NOT_FOUND: UnknownContract,
    PoemsCode.INSUFFICIENT_LIMIT: InsufficientBuyingPower,
    PoemsCode.INVALID_PRICE_TICK: InvalidPriceTick,
    PoemsCode.INVALID_QUANTITY: InvalidOrder,
    PoemsCode.MARKET_CLOSED: MarketClosed,
    PoemsCode.PRICE_OUT_OF_RANGE: InvalidOrder,
    PoemsCode.INVALID_AUTH_TOKEN: InvalidOrder,
}

_GENERAL_ERRORS: dict[int, type[BrokerError]] = {
    PoemsCode.FAILED: PermanentBrokerError,
    PoemsCode.SYSTEM_BUSY: BrokerUnavailable,
    PoemsCode.SESSION_EXPIRED: BrokerAuthFailed,
    PoemsCode.COUNTER_NOT_FOUND: UnknownInstrument,
    PoemsCode.ORDER_NOT_FOUND: UnknownOrder,
    PoemsCode.ORDER_NOT_AMENDABLE: OrderNotCancellable,
    PoemsCode.NOT_ENTITLED: CapabilityNotSupported,
    PoemsCode.PASSWORD_REQUIRED: BrokerAuthFailed,
}

# Wording seen in broker messages, for codes we have no entry for; first match wins.
_ORDER_WORDS: tuple[tuple[str, type[OrderRejected]], ...] = (
    ("insufficient", InsufficientBuyingPower),
    ("trading limit", InsufficientBuyingPower),
    ("tick", InvalidPriceTick),
    ("market closed", MarketClosed),
    ("market is closed", MarketClosed),
    ("lot", InvalidOrder),
    ("quantity", InvalidOrder),
)
_GENERAL_WORDS: tuple[tuple[str, type[BrokerError]], ...] = (
    ("try again", BrokerUnavailable),
    ("busy", BrokerUnavailable),
    ("maintenance", BrokerUnavailable),
    ("session", BrokerAuthFailed),
    ("order not found", UnknownOrder),
    ("counter not found", UnknownInstrument),
)


def describe(code: int, message: str) -> str:
    """Return the text our errors carry: the code and the broker's own message."""
    return f"POEMS {code}: {message or 'no message'}"


def error_for(code: int, message: str, *, client_order_id: str | None = None) -> BrokerError:
    """Return the error for a failed POEMS call; ``client_order_id`` marks an order being placed."""
    text = describe(code, message)
    lowered = (message or "").lower()
    if client_order_id is not None:
        order_error = _ORDER_ERRORS.get(code)
        if order_error is None and code not in _GENERAL_ERRORS:
            order_error = next((cls for word, cls in _ORDER_WORDS if word in lowered), None)
        if order_error is not None:
            return order_error(text, client_order_id=client_order_id)
    general = _GENERAL_ERRORS.get(code)
    if general is None:
        general = next((cls for word, cls in _GENERAL_WORDS if word in lowered), None)
    if general is not None:
        return general(text)
    if client_order_id is not None:
        return OrderRejected(text, client_order_id=client_order_id)
    return PermanentBrokerError(text)
