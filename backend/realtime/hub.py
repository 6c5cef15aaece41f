"""This process's sockets: each reader has a bounded queue, so a slow one is dropped, never waited for."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

DEFAULT_QUEUE_SIZE = 256
HEARTBEAT = -1
"""The seq of a queued heartbeat (events' seqs start at 1): the sender writes one in its place."""


@dataclass(eq=False)
class Subscriber:
    """One reader of one client's events: frames wait in `queue`; `overflowed` is set when it fell behind."""

    client_id: uuid.UUID
    queue: asyncio.Queue[tuple[int, str]]
    overflowed: asyncio.Event = field(default_factory=asyncio.Event)
    last_sent: float = field(default_factory=time.monotonic)
    """When a frame last went out (monotonic), so a heartbeat is sent only after a quiet spell."""

    def offer(self, seq: int, text: str) -> None:
        """Queue a frame without waiting; a full queue marks the reader as too slow."""
        if self.overflowed.is_set():
            return
        try:
            self.queue.put_nowait((seq, text))
        except asyncio.QueueFull:
            self.overflowed.set()


class Hub:
    """Fans each event out to this process's readers of its client."""

    def __init__(self, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self._queue_size = queue_size
        self._readers: defaultdict[uuid.UUID, set[Subscriber]] = defaultdict(set)

    def add(self, client_id: uuid.UUID) -> Subscriber:
        """Register a reader of the client's events."""
        subscriber = Subscriber(client_id, asyncio.Queue(self._queue_size))
        self._readers[client_id].add(subscriber)
        return subscriber

    def remove(self, subscriber: Subscriber) -> None:
        """Forget a reader."""
        readers = self._readers.get(subscriber.client_id)
        if readers is None:
            return
        readers.discard(subscriber)
        if not readers:
            del self._readers[subscriber.client_id]

    def deliver(self, client_id: uuid.UUID, seq: int, text: str) -> None:
        """Hand one serialised event to every local reader of its client."""
        for subscriber in tuple(self._readers.get(client_id, ())):
            subscriber.offer(seq, text)

    @property
    def open_readers(self) -> int:
        """Count the readers connected to this process."""
        return sum(len(readers) for readers in self._readers.values())
