"""This process's sockets: each reader may lag by a bounded number of frames; a slower one is dropped."""

from __future__ import annotations

import asyncio
import struct
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Protocol

DEFAULT_QUEUE_SIZE = 256
HEARTBEAT = -1
"""The seq of a queued heartbeat (events' seqs start at 1): the sender writes one in its place."""
_REVOKED = '"type":"access.revoked"'
# Every event's text starts `{"seq":N,"type":"...` (the buses write it so), so the type sits within
# this many characters: looked for there, at the cost of one bounded search per event.
_TYPE_WITHIN = len('{"seq":,') + 20 + len(_REVOKED)


class FrameSink(Protocol):
    """Writes a socket's encoded frames at once (backend/realtime/frame_writer.py FrameWriter)."""

    def backlog(self) -> int:
        """Count the frames written that wait in the send buffer beyond its high-water mark."""

    def write(self, frame: bytes) -> bool:
        """Write one encoded frame now; False when the socket no longer takes frames."""


def text_frame(text: str) -> bytes:
    """Encode a server's text frame: unmasked, so every socket without extensions gets these bytes."""
    # RFC 6455 section 5.2: FIN and the text opcode, then the length in 7, 7+16 or 7+64 bits.
    data = text.encode()
    size = len(data)
    if size < 126:
        return bytes((0x81, size)) + data
    if size < 1 << 16:
        return struct.pack("!BBH", 0x81, 126, size) + data
    return struct.pack("!BBQ", 0x81, 127, size) + data


@dataclass(eq=False)
class Subscriber:
    """One reader of one client's events, fed through its `queue` or, once it has one, its `writer`.

    Either way a reader may lag by at most the queue's size in frames beyond what the socket's send
    buffer holds up to its high-water mark: queued ones, or ones written that wait in the buffer
    past that mark. Past that `overflowed` is set.
    """

    client_id: uuid.UUID
    queue: asyncio.Queue[tuple[int, str]]
    overflowed: asyncio.Event = field(default_factory=asyncio.Event)
    recheck: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when a sign-in of the client's users ended: the stream re-checks its own one now."""
    last_seq: int = 0
    """The seq of the last event sent (the hello's before any): older ones are skipped, beats carry it."""
    writer: FrameSink | None = None

    def offer(self, seq: int, text: str, frame: bytes | None = None) -> None:
        """Send or queue an event without waiting (`frame`: its encoding, if the caller has it).

        A reader too far behind is marked as too slow.
        """
        if self.overflowed.is_set():
            return
        writer = self.writer
        if writer is None:
            try:
                self.queue.put_nowait((seq, text))
            except asyncio.QueueFull:
                self.overflowed.set()
        elif seq <= self.last_seq:
            return  # already covered by the hello's seq (or a duplicate delivery)
        elif writer.backlog() >= self.queue.maxsize:
            self.overflowed.set()
        elif writer.write(text_frame(text) if frame is None else frame):
            self.last_seq = seq

    def beat(self) -> None:
        """Queue a heartbeat for the sender task, which sends it through ASGI whatever the mode."""
        if self.overflowed.is_set():
            return
        try:
            self.queue.put_nowait((HEARTBEAT, ""))
        except asyncio.QueueFull:
            self.overflowed.set()

    def write_directly(self, writer: FrameSink, after: int) -> None:
        """Write frames through `writer` from now on, first the events queued after seq `after`."""
        self.last_seq = after
        pending = [self.queue.get_nowait() for _ in range(self.queue.qsize())]
        self.writer = writer
        for seq, text in pending:
            if seq == HEARTBEAT:
                self.beat()
            else:
                self.offer(seq, text)


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
        readers = self._readers.get(client_id)
        if not readers:
            return
        frame = text_frame(text)  # once per event, not once per socket
        for subscriber in readers:  # offering never adds or removes a reader
            subscriber.offer(seq, text, frame)
        if text.find(_REVOKED, 0, _TYPE_WITHIN) != -1:
            for subscriber in readers:
                subscriber.recheck.set()

    def clients(self) -> list[uuid.UUID]:
        """Return the clients this process has readers of."""
        return list(self._readers)

    def readers_of(self, client_id: uuid.UUID) -> tuple[Subscriber, ...]:
        """Return this process's readers of the client's events."""
        return tuple(self._readers.get(client_id, ()))

    @property
    def open_readers(self) -> int:
        """Count the readers connected to this process."""
        return sum(len(readers) for readers in self._readers.values())
