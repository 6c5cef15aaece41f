"""The API side of the command channel: `RemoteBroker` forwards broker calls to the worker holding the client.

Each worker pops its own request list in Redis; a caller pushes a signed request there and waits
on a reply key of its own. No owner, or no answer in time, is a temporary broker error (503
`broker_unavailable`); a `place_order` without an answer is ambiguous, so the order path books it
UNKNOWN and reconciliation in the worker settles it. Nothing is ever resent.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from backend.brokers import errors
from backend.brokers.base import (
    AccountSummary,
    Capabilities,
    ConnectionEvent,
    ConnectionState,
    OptionChain,
    PlacedOrder,
    Position,
    PositionEvent,
    Quote,
)
from backend.brokers.errors import BrokerError, BrokerTimeout, BrokerUnavailable, CapabilityNotSupported
from backend.brokers.streams import EventHub, Subscription
from backend.domain.instruments import SingleInstrument
from backend.domain.orders import OrderEvent, OrderRequest, OrderState
from backend.models.base import utcnow
from backend.worker.frames import Reply, Request, open_frame, seal
from backend.worker.leases import LeaseLost, LeaseStore

OWNER_CACHE_SECONDS = 1.0
REPLY_TTL_SECONDS = 60


def requests_key(holder: str) -> str:
    """Return the Redis list a worker pops its requests from."""
    return f"greekdesk:worker:{holder}:requests"


def reply_key(request_id: str) -> str:
    """Return the Redis list one request's reply is pushed to."""
    return f"greekdesk:reply:{request_id}"


class NoOwner(BrokerUnavailable):
    """No worker holds the client's lease right now (it is being taken over, or not yet leased)."""


# The error classes a reply may name; anything else becomes a plain BrokerError.
_KNOWN_ERRORS: dict[str, type[BrokerError]] = {
    name: value
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, BrokerError)
} | {"LeaseLost": LeaseLost, "NoOwner": NoOwner}


def error_of(reply: Reply) -> BrokerError:
    """Rebuild the broker error a worker answered with."""
    cls = _KNOWN_ERRORS.get(reply.error or "", BrokerError)
    error = cls.__new__(cls)
    BrokerError.__init__(error, reply.message, ambiguous=reply.ambiguous)
    if isinstance(error, errors.OrderRejected):
        error.client_order_id = reply.client_order_id
    if isinstance(error, errors.BrokerPacing):
        error.retry_after = None
    return error


class RemoteChannel:
    """Sends requests to the worker holding a client and waits for the answer."""

    def __init__(self, redis: Redis, key: bytes, leases: LeaseStore, timeout: float) -> None:
        self._redis = redis
        self._key = key
        self._leases = leases
        self._timeout = timeout
        self._owners: dict[uuid.UUID, tuple[str, float]] = {}

    async def owner(self, client_id: uuid.UUID) -> str:
        """Return the worker holding the client (looked up at most once a second)."""
        cached = self._owners.get(client_id)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        holder = await self._leases.holder_of(client_id)
        if holder is None:
            self._owners.pop(client_id, None)
            raise NoOwner("No worker holds this client's broker session right now; try again shortly")
        self._owners[client_id] = (holder, time.monotonic() + OWNER_CACHE_SECONDS)
        return holder

    async def call(self, client_id: uuid.UUID, method: str, *args: Any) -> Any:
        """Run `method` on the client's broker (or session) in its worker; raise what it raised."""
        holder = await self.owner(client_id)
        request = Request(uuid.uuid4().hex, str(client_id), method, args, time.time() + self._timeout)
        try:
            await self._redis.rpush(requests_key(holder), seal(self._key, request))
            answer = await self._redis.blpop([reply_key(request.request_id)], timeout=self._timeout)
        except RedisError as exc:
            self._owners.pop(client_id, None)
            raise BrokerUnavailable(
                f"The command channel failed: {type(exc).__name__}", ambiguous=True
            ) from exc
        if answer is None:
            self._owners.pop(client_id, None)
            raise BrokerTimeout(f"The worker holding this client did not answer {method}", ambiguous=True)
        frame = answer[1]
        reply = open_frame(self._key, frame) if isinstance(frame, bytes) else None
        if not isinstance(reply, Reply):
            raise BrokerError("The worker answered with something that is not a reply", ambiguous=True)
        if reply.error is not None:
            if reply.error in ("NoOwner", "BrokerUnavailable"):
                self._owners.pop(client_id, None)
            raise error_of(reply)
        return reply.value

    def broker(self, client_id: uuid.UUID) -> RemoteBroker:
        """Return a broker for the client whose calls run in its worker."""
        return RemoteBroker(client_id, self)

    async def command(self, client_id: uuid.UUID, name: str) -> None:
        """Have the client's worker rebuild or discard its session (nothing to do when none holds it)."""
        # With no owner, the worker that takes the client next builds its session from the stored account.
        with contextlib.suppress(NoOwner):
            await self.call(client_id, name)


class RemoteBroker:
    """A BrokerPort whose calls run in the worker that holds the client's real session."""

    def __init__(self, client_id: uuid.UUID, channel: RemoteChannel) -> None:
        self._client_id = client_id
        self._channel = channel
        self._state = ConnectionState.DISCONNECTED
        self._capabilities = Capabilities()
        self._connection_hub: EventHub[ConnectionEvent] = EventHub()

    @property
    def capabilities(self) -> Capabilities:
        """Return the real adapter's capabilities, as its worker reported them on connect."""
        return self._capabilities

    @property
    def state(self) -> ConnectionState:
        """Return whether the owner answered last time (connected) or not."""
        return self._state

    def _move(self, state: ConnectionState, reason: str | None = None) -> None:
        if state is not self._state:
            self._state = state
            self._connection_hub.publish(ConnectionEvent(state, utcnow(), reason))

    async def connect(self) -> None:
        """Find the owner and check its session is connected; learn the adapter's capabilities."""
        self._move(ConnectionState.CONNECTING)
        try:
            self._capabilities = await self._channel.call(self._client_id, "connect")
        except BrokerError as exc:
            self._move(ConnectionState.DISCONNECTED, exc.message)
            raise
        self._move(ConnectionState.CONNECTED)

    async def close(self) -> None:
        """Forget the owner; nothing runs here to stop."""
        self._move(ConnectionState.DISCONNECTED, "closed")
        self._connection_hub.close()

    def connection_events(self) -> Subscription[ConnectionEvent]:
        """Follow this link's state (it drops when the owner stops answering)."""
        return self._connection_hub.subscribe()

    async def _call(self, method: str, *args: Any) -> Any:
        try:
            return await self._channel.call(self._client_id, method, *args)
        except (NoOwner, BrokerTimeout) as exc:
            # The owner is gone or changing: reconnecting finds the new one.
            self._move(ConnectionState.DISCONNECTED, exc.message)
            raise

    async def resolve_instrument(self, instrument: SingleInstrument) -> SingleInstrument:
        """Resolve an instrument in the owner."""
        result: SingleInstrument = await self._call("resolve_instrument", instrument)
        return result

    async def option_chain(self, underlying: str) -> OptionChain:
        """Return the option chain from the owner."""
        result: OptionChain = await self._call("option_chain", underlying)
        return result

    async def quotes(self, instruments: Sequence[SingleInstrument]) -> list[Quote]:
        """Return quotes from the owner."""
        result: list[Quote] = await self._call("quotes", list(instruments))
        return result

    async def place_order(self, request: OrderRequest) -> OrderState:
        """Place the order through the owner (which refuses it once its lease is lost)."""
        result: OrderState = await self._call("place_order", request)
        return result

    async def cancel_order(self, client_order_id: str) -> OrderState:
        """Cancel through the owner."""
        result: OrderState = await self._call("cancel_order", client_order_id)
        return result

    async def order_status(self, client_order_id: str) -> OrderState:
        """Return an order's state from the owner."""
        result: OrderState = await self._call("order_status", client_order_id)
        return result

    async def resume_order(self, placed: PlacedOrder) -> OrderState:
        """Resume the order through the owner."""
        result: OrderState = await self._call("resume_order", placed)
        return result

    async def open_orders(self) -> list[OrderState]:
        """Return the open orders from the owner."""
        result: list[OrderState] = await self._call("open_orders")
        return result

    async def positions(self) -> list[Position]:
        """Return the positions from the owner."""
        result: list[Position] = await self._call("positions")
        return result

    async def account_summary(self) -> AccountSummary:
        """Return the account summary from the owner."""
        result: AccountSummary = await self._call("account_summary")
        return result

    def stream_quotes(self, instruments: Sequence[SingleInstrument]) -> Subscription[Quote]:
        """Refuse: streams are read in the worker, and reach API processes over the event bus."""
        raise CapabilityNotSupported("Broker streams are read in the worker; follow the event stream")

    def order_events(self) -> Subscription[OrderEvent]:
        """Refuse: order events are booked in the worker."""
        raise CapabilityNotSupported("Broker streams are read in the worker; follow the event stream")

    def position_events(self) -> Subscription[PositionEvent]:
        """Refuse: position events are booked in the worker."""
        raise CapabilityNotSupported("Broker streams are read in the worker; follow the event stream")
