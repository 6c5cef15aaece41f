"""One API session of the fake gateway, the faults it can inject, and the frames it records."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from backend.brokers.ibkr.fake_gateway import messages as m
from backend.brokers.ibkr.fake_gateway.wire import encode
from backend.domain.instruments import SingleInstrument

INFO_NOTICES = (
    (2104, "Market data farm connection is OK:usfarm"),
    (2106, "HMDS data farm connection is OK:ushmds"),
    (2158, "Sec-def data farm connection is OK:secdefnj"),
)


@dataclass
class Faults:
    """Misbehaviour to inject; tests flip these between steps."""

    latency: float = 0.0
    """Seconds to wait before handling each inbound frame."""
    live_market_data: bool = True
    """Without live permissions, live requests get 354 and delayed ones 10167 plus delayed ticks."""
    send_greeks: bool = True
    garbage_ticks: bool = False
    """Add NaN and unset-double ticks to every quote."""
    pacing_errors: int = 0
    """Answer this many next requests with error 100 instead."""
    duplicate_order_ids: int = 0
    """Answer this many next orders with error 103 instead."""
    drop_after_place: bool = False
    """Accept the next order at the venue, then drop the socket before any reply."""
    max_messages_per_second: int = 50
    """Above this inbound rate the gateway answers error 100, as TWS does."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One inbound message, with the session it came on and when."""

    session: int
    at: float
    fields: tuple[str, ...]

    @property
    def msg_id(self) -> int:
        """Return the message id."""
        return int(self.fields[0]) if self.fields and self.fields[0].isdigit() else -1


@dataclass
class Subscription:
    """A market data request of one session."""

    req_id: int
    instrument: SingleInstrument
    delayed: bool


@dataclass
class Session:
    """One API connection."""

    number: int
    writer: asyncio.StreamWriter
    client_id: int = -1
    data_type: int = 1
    subscriptions: dict[int, Subscription] = field(default_factory=dict)
    account_updates: bool = False
    silent: bool = False
    """Read but never answer: a socket that died without closing."""
    recent: list[float] = field(default_factory=list)

    def send(self, message: m.Msg) -> None:
        """Write one message unless the socket is gone."""
        if not self.writer.is_closing():
            self.writer.write(encode(message))

    def drop(self) -> None:
        """Cut the socket without a goodbye, as a network failure would."""
        transport = self.writer.transport
        if hasattr(transport, "abort"):
            transport.abort()
        else:
            self.writer.close()
