"""Frames written straight to the socket: only where every socket gets the same bytes, and intact."""

from __future__ import annotations

import uuid

import pytest

from backend.kit.container import Container
from backend.realtime.hub import Hub, text_frame
from backend.realtime.schemas import ChatMessageData
from backend.tests.conftest import AppFactory, api_client
from backend.tests.realtime.helpers import (
    SOCKET_OPTIONS,
    events_until,
    next_message,
    open_stream,
    serving,
    signed_in,
)

# Lengths that take each of a frame header's three length encodings (7 bits, 16 bits, 64 bits),
# and text that is not ASCII.
TEXTS = ["short", "é" * 200, "x" * 70_000, "prix 12,50 € · 日本 · 🚀"]


@pytest.mark.parametrize(
    ("sockets", "direct"), [("served", True), ("served-compressed", False), ("queued", False)]
)
async def test_events_arrive_intact_and_are_written_directly_only_without_compression(
    app_factory: AppFactory, sockets: str, direct: bool
) -> None:
    app = app_factory()
    container: Container = app.state.container
    async with api_client(app) as api:
        user, token = await signed_in(api, container)
    async with (
        serving(app, SOCKET_OPTIONS[sockets]) as address,
        open_stream(address, user.client_id, query=f"token={token}", max_queue=None) as socket,
    ):
        hello = await next_message(socket)
        (reader,) = container.events.hub.readers_of(user.client_id)
        assert (reader.writer is not None) is direct

        for text in TEXTS:
            container.events.publish(user.client_id, ChatMessageData(role="system", text=text))
        events = await events_until(socket, lambda got: len(got) == len(TEXTS))

    assert [e["data"]["text"] for e in events] == TEXTS
    assert [e["seq"] for e in events] == list(range(hello["seq"] + 1, hello["seq"] + 1 + len(TEXTS)))
    assert {e["client_id"] for e in events} == {str(user.client_id)}


class _Socket:
    """Stands in for a `FrameWriter`: records frames, reports a set backlog."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []
        self.waiting = 0

    def backlog(self) -> int:
        return self.waiting

    def write(self, frame: bytes) -> bool:
        self.frames.append(frame)
        return True


async def test_a_reader_switching_to_direct_writes_gets_what_was_queued_after_its_hello_first() -> None:
    hub, client_id = Hub(queue_size=4), uuid.uuid4()
    reader = hub.add(client_id)
    for seq in (1, 2, 3):  # published while the hello (seq 1) was being sent
        hub.deliver(client_id, seq, f"event {seq}")
    socket = _Socket()

    reader.write_directly(socket, after=1)
    hub.deliver(client_id, 4, "event 4")
    hub.deliver(client_id, 4, "event 4")  # a duplicate delivery

    assert socket.frames == [text_frame(f"event {seq}") for seq in (2, 3, 4)]
    assert reader.last_seq == 4
    assert reader.queue.empty()


async def test_a_direct_reader_lagging_past_the_limit_is_dropped_and_written_no_more() -> None:
    hub, client_id = Hub(queue_size=4), uuid.uuid4()
    reader = hub.add(client_id)
    socket = _Socket()
    reader.write_directly(socket, after=0)

    socket.waiting = 3
    hub.deliver(client_id, 1, "in time")
    socket.waiting = 4
    hub.deliver(client_id, 2, "too late")
    socket.waiting = 0
    hub.deliver(client_id, 3, "after the drop")

    assert socket.frames == [text_frame("in time")]
    assert reader.overflowed.is_set()
