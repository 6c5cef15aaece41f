"""One open stream: hello with the current seq, then events in seq order, heartbeats when quiet.

The socket closes with a code the reader can act on: its credential expired or was revoked by a
sign-out (sign in or refresh, then reconnect), its account was disabled, or it read too slowly to
keep up (reconnect and replay).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.websockets import WebSocket, WebSocketDisconnect

from backend.auth.repository import Standing
from backend.models.base import utcnow
from backend.realtime.access import StreamGrant
from backend.realtime.bus import EventBus
from backend.realtime.frame_writer import writer_of
from backend.realtime.hub import HEARTBEAT, Subscriber
from backend.realtime.schemas import HeartbeatMessage, HelloMessage

logger = logging.getLogger("greekdesk.realtime")

# Application close codes (4000-4999): mirror the HTTP statuses a reader already understands.
CLOSE_CREDENTIAL_EXPIRED = 4401
CLOSE_ACCOUNT_DISABLED = 4403
CLOSE_TOO_SLOW = 4408
CLOSE_GOING_AWAY = 1001
CLOSE_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class StreamLimits:
    """How often to beat, and at most how long between re-checks that the reader's account is still active."""

    heartbeat_seconds: float
    recheck_seconds: float


class _Closed(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


async def serve(
    websocket: WebSocket,
    bus: EventBus,
    grant: StreamGrant,
    limits: StreamLimits,
    standing: Callable[[], Awaitable[Standing]],
) -> None:
    """Accept the socket and stream the client's events until either side ends it."""
    subscriber = await bus.subscribe(grant.client_id)
    closing: tuple[int, str] | None = None
    try:
        await websocket.accept()
        seq = await bus.current_seq(grant.client_id)
        hello = HelloMessage(
            client_id=grant.client_id,
            seq=seq,
            heartbeat_seconds=limits.heartbeat_seconds,
            expires_at=grant.expires_at,
        )
        await websocket.send_text(hello.model_dump_json())
        writer = writer_of(websocket.scope)
        if writer is None:
            subscriber.last_seq = seq
        else:
            subscriber.write_directly(writer, after=seq)
        closing = await _run(websocket, subscriber, grant, limits, standing)
    finally:
        bus.unsubscribe(subscriber)
    if closing is not None:
        await _close(websocket, *closing)


async def _run(
    websocket: WebSocket,
    subscriber: Subscriber,
    grant: StreamGrant,
    limits: StreamLimits,
    standing: Callable[[], Awaitable[Standing]],
) -> tuple[int, str] | None:
    sender = asyncio.create_task(_send(websocket, subscriber))
    receiver = asyncio.create_task(_drain_incoming(websocket))
    watchdog = asyncio.create_task(_watch(subscriber, grant, limits, standing))
    beat = asyncio.create_task(_beat(subscriber, limits.heartbeat_seconds))
    tasks = (sender, receiver, watchdog, beat)
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if receiver in done:
        return None  # the reader left
    outcome = next(iter(done)).exception()
    if isinstance(outcome, _Closed):
        return outcome.code, outcome.reason
    if outcome is not None and not isinstance(outcome, (WebSocketDisconnect, OSError)):
        logger.error("stream failed", exc_info=outcome, extra={"client_id": str(grant.client_id)})
        return 1011, "internal error"
    return None


async def _send(websocket: WebSocket, subscriber: Subscriber) -> None:
    # Sends what the queue holds: every frame, or only heartbeats once the subscriber writes directly.
    queue = subscriber.queue
    while True:
        event_seq, text = await queue.get()
        if event_seq == HEARTBEAT:
            beat = HeartbeatMessage(ts=utcnow(), seq=subscriber.last_seq)
            await websocket.send_text(beat.model_dump_json())
            continue
        if event_seq <= subscriber.last_seq:
            continue  # already covered by the hello's seq (or a duplicate delivery)
        await websocket.send_text(text)
        subscriber.last_seq = event_seq


async def _beat(subscriber: Subscriber, heartbeat: float) -> None:
    # One timer per socket, nothing per frame: a beat goes out after a whole interval without an
    # event, so a quiet reader hears something at least every two intervals.
    seen = subscriber.last_seq
    while True:
        await asyncio.sleep(heartbeat)
        if subscriber.last_seq == seen:
            subscriber.beat()
        seen = subscriber.last_seq


async def _drain_incoming(websocket: WebSocket) -> None:
    # Readers send nothing we act on; reading is how a close from their side is noticed.
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return


async def _watch(
    subscriber: Subscriber,
    grant: StreamGrant,
    limits: StreamLimits,
    standing: Callable[[], Awaitable[Standing]],
) -> None:
    overflow = asyncio.create_task(subscriber.overflowed.wait())
    revoked = asyncio.create_task(subscriber.recheck.wait())
    try:
        while True:
            left = (grant.expires_at - utcnow()).total_seconds()
            if left <= 0:
                raise _Closed(CLOSE_CREDENTIAL_EXPIRED, "credential expired")
            # Each socket re-checks at its own jittered pace: sockets opened together (a deploy, a
            # network blip) would otherwise all query the database in the same instant, every time.
            # A revocation among the client's users (a sign-out, a password reset) re-checks at once.
            recheck = limits.recheck_seconds * random.uniform(0.5, 1.0)  # noqa: S311 - spacing, not secrecy
            done, _ = await asyncio.wait(
                {overflow, revoked}, timeout=min(left, recheck), return_when=asyncio.FIRST_COMPLETED
            )
            if overflow in done:
                raise _Closed(CLOSE_TOO_SLOW, "reader too slow; reconnect and replay")
            if revoked in done:
                subscriber.recheck.clear()
                revoked = asyncio.create_task(subscriber.recheck.wait())
            if (grant.expires_at - utcnow()).total_seconds() <= 0:
                continue  # closed as expired at the top of the loop
            now_standing = await standing()
            if now_standing is Standing.SIGNED_OUT:
                raise _Closed(CLOSE_CREDENTIAL_EXPIRED, "credential revoked")
            if now_standing is not Standing.ACTIVE:
                raise _Closed(CLOSE_ACCOUNT_DISABLED, "account disabled")
    finally:
        overflow.cancel()
        revoked.cancel()


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    # A reader too slow to read events may be too slow to read the close frame too: wait a while only.
    with contextlib.suppress(Exception):
        async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS):
            await websocket.close(code, reason)
