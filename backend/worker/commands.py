"""The worker side of the command channel: answer API processes' calls on the clients this worker holds.

Only a fixed set of broker methods and session commands is served. A place or cancel is sent to
the broker only after the database confirms this worker still holds the client's lease with its
token (fencing); a request whose caller stopped waiting is dropped, never acted on late.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.brokers.errors import BrokerError, BrokerUnavailable
from backend.execution.in_flight import SendsInFlight
from backend.kit.db import NO_TENANT, scoped_session
from backend.kit.errors import AppError
from backend.runtime.broker_runtime import BrokerRuntime
from backend.worker.frames import FrameRejected, Reply, Request, expired, open_frame, seal
from backend.worker.leases import Lease, LeaseLost, LeaseStore
from backend.worker.remote import REPLY_TTL_SECONDS, reply_key, requests_key

logger = logging.getLogger("greekdesk.worker")
BROKER_METHODS = frozenset(
    {
        "resolve_instrument",
        "option_chain",
        "quotes",
        "place_order",
        "cancel_order",
        "order_status",
        "resume_order",
        "open_orders",
        "positions",
        "account_summary",
    }
)
FENCED_METHODS = frozenset({"place_order", "cancel_order"})
CONNECT_WAIT_SECONDS = 5.0
POP_TIMEOUT_SECONDS = 1.0
FORWARDED_BOOKING_SECONDS = 2.0
"""How long a forwarded send's order stays marked in flight after its answer leaves: the API process
books the answer within milliseconds of the reply; past this the worker books the order's events."""


class CommandServer:
    """Pops this worker's request list and answers each request in its own task."""

    def __init__(
        self,
        redis: Redis,
        key: bytes,
        store: LeaseStore,
        sessions: async_sessionmaker[AsyncSession],
        brokers: BrokerRuntime,
        held: Callable[[uuid.UUID], Lease | None],
    ) -> None:
        self._redis = redis
        self._key = key
        self._store = store
        self._sessions = sessions
        self._brokers = brokers
        self._held = held
        self._task: asyncio.Task[None] | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self.scanner: Callable[[uuid.UUID], Awaitable[dict[str, Any]]] | None = None
        """Runs the client's agent tick with a scan (set by the worker role); `scan` commands use it."""
        self.in_flight = SendsInFlight()
        """Forwarded sends under way, which this worker's reconciliation leaves alone (set by the worker role)."""

    def start(self) -> None:
        """Start serving requests."""
        if self._task is None:
            self._task = asyncio.create_task(self._serve(), name="worker-commands")

    async def _serve(self) -> None:
        queue = requests_key(self._store.holder)
        while True:
            try:
                item = await self._redis.blpop([queue], timeout=POP_TIMEOUT_SECONDS)
            except RedisError:
                logger.warning("command channel unreachable; retrying", exc_info=True)
                await asyncio.sleep(POP_TIMEOUT_SECONDS)
                continue
            if item is None or not isinstance(item[1], bytes):
                continue
            task = asyncio.create_task(self._handle(item[1]))
            self._handlers.add(task)
            task.add_done_callback(self._handlers.discard)

    async def _handle(self, frame: bytes) -> None:
        try:
            request = open_frame(self._key, frame)
        except (FrameRejected, ValueError, EOFError) as exc:
            logger.warning("dropped a command frame that does not verify", extra={"reason": str(exc)})
            return
        if not isinstance(request, Request) or expired(request):
            return
        reply = await self._answer(request)
        try:
            key = reply_key(request.request_id)
            await self._redis.rpush(key, seal(self._key, reply))
            await self._redis.expire(key, REPLY_TTL_SECONDS)
        except RedisError:
            logger.warning("could not send a reply", extra={"method": request.method})

    async def _answer(self, request: Request) -> Reply:
        client_id = uuid.UUID(request.client_id)
        lease = self._held(client_id)
        if lease is None:
            return Reply(error="NoOwner", message="This worker no longer holds the client; try again shortly")
        try:
            return Reply(value=await self._run(client_id, lease, request.method, request.args))
        except BrokerError as exc:
            return Reply(
                error=type(exc).__name__,
                message=exc.message,
                ambiguous=exc.ambiguous,
                client_order_id=getattr(exc, "client_order_id", None),
            )
        except AppError as exc:
            return Reply(error="BrokerUnavailable", message=exc.message)
        except Exception:
            logger.exception("a command failed in the worker", extra={"method": request.method})
            # Whether an order got out before the failure is unknown: reconciliation decides.
            return Reply(
                error="BrokerError",
                message="The worker failed while answering",
                ambiguous=request.method in FENCED_METHODS,
            )

    async def _run(self, client_id: uuid.UUID, lease: Lease, method: str, args: tuple[Any, ...]) -> Any:
        if method == "place_order":
            # Marked before the first await: the request passed its deadline check just now.
            # The API process books the answer once it has the reply: until then, and for events
            # that say no more than it, the order's events are that booking's, not this worker's.
            with self.in_flight.sending(args[0].client_order_id, linger=FORWARDED_BOOKING_SECONDS) as send:
                send.booked = await self._run_any(client_id, lease, method, args)
                return send.booked
        return await self._run_any(client_id, lease, method, args)

    async def _run_any(self, client_id: uuid.UUID, lease: Lease, method: str, args: tuple[Any, ...]) -> Any:
        if method == "rebuild":
            await self._brokers.rebuild(client_id)
            return None
        if method == "discard":
            await self._brokers.discard(client_id)
            return None
        if method == "scan" and self.scanner is not None:
            return await self.scanner(client_id)
        session = await self._brokers.session_for(client_id)
        if method == "connect":
            if not await session.wait_connected(CONNECT_WAIT_SECONDS):
                status = session.status()
                raise BrokerUnavailable(f"The worker's session is {status.state}: {status.last_error or ''}")
            return session.broker.capabilities
        if method not in BROKER_METHODS:
            raise BrokerError(f"Unknown command {method!r}")
        if method in FENCED_METHODS and not await self._still_holds(lease):
            raise LeaseLost("lease lost: this worker no longer holds the client; the order was not sent")
        return await getattr(session.broker, method)(*args)

    async def _still_holds(self, lease: Lease) -> bool:
        async with scoped_session(self._sessions, NO_TENANT) as db:
            return await self._store.holds(db, lease)

    async def close(self) -> None:
        """Stop serving; let answers in flight finish briefly."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._handlers:
            _, pending = await asyncio.wait(set(self._handlers), timeout=2.0)
            for task in pending:
                task.cancel()
