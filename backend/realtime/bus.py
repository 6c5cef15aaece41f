"""The event bus: numbers each client's events, keeps a bounded replay buffer, fans out to readers.

Publishing never blocks the caller: events join one queue and a single task drains it in order,
so a process's events leave in the order they were committed. `MemoryBus` serves the embedded
run; `RedisBus` (backend/realtime/redis_bus.py) spreads events across processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from backend.models.base import utcnow
from backend.realtime.hub import Hub, Subscriber
from backend.realtime.schemas import EventData

logger = logging.getLogger("greekdesk.realtime")
REPLAY_CAPACITY = 1000


@dataclass(frozen=True, slots=True)
class OutgoingEvent:
    """An event not yet numbered: who it is for, what it says, when it happened."""

    client_id: uuid.UUID
    data: EventData
    ts: datetime
    queued_at: float

    def body(self) -> str:
        """Serialise everything but `seq` (the bus adds it): a JSON object text."""
        # Spliced rather than dumped: the type is an identifier, the time and id need no escaping,
        # and pydantic writes the data's JSON itself, at a fraction of model_dump + json.dumps.
        return (
            f'{{"type":"{self.data.TYPE}","ts":"{self.ts.isoformat()}","client_id":"{self.client_id}",'
            f'"data":{self.data.model_dump_json()}}}'
        )


def with_seq(seq: int, body: str) -> str:
    """Put `seq` first into a serialised event body."""
    return f'{{"seq":{seq},{body[1:]}'


@dataclass(frozen=True, slots=True)
class Replay:
    """What the buffer holds after a seq."""

    events: list[str]
    current_seq: int
    oldest_seq: int | None

    def complete(self, after: int) -> bool:
        """Say whether every event after `after` is here (none were trimmed away)."""
        if after >= self.current_seq:
            return True
        return self.oldest_seq is not None and self.oldest_seq <= after + 1


MAX_BATCH = 500
"""Most events one publishing round sends."""


@dataclass
class BusStats:
    """Counters for /metrics: events published and the newest queue-to-publish lag."""

    published: int = 0
    last_lag_seconds: float = 0.0


class EventBus:
    """Common half of the buses: the ordered publishing queue and the local readers."""

    def __init__(self, *, replay_capacity: int = REPLAY_CAPACITY, queue_size: int | None = None) -> None:
        self.hub = Hub() if queue_size is None else Hub(queue_size)
        self.stats = BusStats()
        self._replay_capacity = replay_capacity
        self._outbox: asyncio.Queue[list[OutgoingEvent]] | None = None
        self._drainer: asyncio.Task[None] | None = None

    def publish(self, client_id: uuid.UUID, data: EventData) -> None:
        """Send an event that no transaction guards (quotes, broker status); returns at once."""
        self.submit([outgoing(client_id, data)])

    def submit(self, events: Sequence[OutgoingEvent]) -> None:
        """Queue events (committed already) for publishing in order."""
        if not events:
            return
        if self._outbox is None:
            self._outbox = asyncio.Queue()
        self._outbox.put_nowait(list(events))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.get_running_loop().create_task(self._drain(), name="event-bus-publisher")

    async def _drain(self) -> None:
        assert self._outbox is not None
        while True:
            batch = await self._outbox.get()
            taken = 1
            # Everything already queued goes out together: one round trip to Redis instead of one each.
            while not self._outbox.empty() and len(batch) < MAX_BATCH:
                batch += self._outbox.get_nowait()
                taken += 1
            try:
                await self._publish(batch)
                self.stats.published += len(batch)
                self.stats.last_lag_seconds = time.monotonic() - batch[0].queued_at
            except Exception:
                # A lost event shows as a seq gap to readers, who replay or reload; the bus goes on.
                logger.exception("could not publish events", extra={"count": len(batch)})
            finally:
                for _ in range(taken):
                    self._outbox.task_done()

    async def flush(self) -> None:
        """Wait until every queued event has been published."""
        if self._outbox is not None:
            await self._outbox.join()

    async def subscribe(self, client_id: uuid.UUID) -> Subscriber:
        """Register a local reader of the client's events."""
        return self.hub.add(client_id)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        """Forget a local reader."""
        self.hub.remove(subscriber)

    async def close(self) -> None:
        """Publish what is queued (briefly), then stop."""
        if self._drainer is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.flush(), 2.0)
            self._drainer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._drainer
            self._drainer = None

    async def _publish(self, batch: list[OutgoingEvent]) -> None:
        raise NotImplementedError

    async def current_seq(self, client_id: uuid.UUID) -> int:
        """Return the last seq issued for the client (0 before its first event)."""
        raise NotImplementedError

    async def replay(self, client_id: uuid.UUID, after: int) -> Replay:
        """Return the buffered events after `after`, oldest first."""
        raise NotImplementedError


def outgoing(client_id: uuid.UUID, data: EventData) -> OutgoingEvent:
    """Stamp an event with the time it happened."""
    return OutgoingEvent(client_id, data, utcnow(), time.monotonic())


class MemoryBus(EventBus):
    """One process: counters and replay buffers in memory, fan-out straight to local readers."""

    def __init__(self, *, replay_capacity: int = REPLAY_CAPACITY, queue_size: int | None = None) -> None:
        super().__init__(replay_capacity=replay_capacity, queue_size=queue_size)
        self._seq: defaultdict[uuid.UUID, int] = defaultdict(int)
        self._buffers: dict[uuid.UUID, deque[tuple[int, str]]] = {}

    async def _publish(self, batch: list[OutgoingEvent]) -> None:
        for event in batch:
            self._seq[event.client_id] += 1
            seq = self._seq[event.client_id]
            text = with_seq(seq, event.body())
            buffer = self._buffers.setdefault(event.client_id, deque(maxlen=self._replay_capacity))
            buffer.append((seq, text))
            self.hub.deliver(event.client_id, seq, text)

    async def current_seq(self, client_id: uuid.UUID) -> int:
        """Return the last seq issued for the client (0 before its first event)."""
        return self._seq.get(client_id, 0)

    async def replay(self, client_id: uuid.UUID, after: int) -> Replay:
        """Return the buffered events after `after`, oldest first."""
        buffer = self._buffers.get(client_id, deque())
        return Replay(
            events=[text for seq, text in buffer if seq > after],
            current_seq=self._seq.get(client_id, 0),
            oldest_seq=buffer[0][0] if buffer else None,
        )
