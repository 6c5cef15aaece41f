"""Heartbeats: a quiet stream beats with the last seq it sent; a busy one sends events, not beats."""

from __future__ import annotations

import asyncio
import time

import pytest

from backend.kit.container import Container
from backend.realtime.schemas import AgentStatusData
from backend.tests.conftest import AppFactory, api_client
from backend.tests.realtime.helpers import SOCKET_OPTIONS, next_message, open_stream, serving, signed_in

HEARTBEAT = 0.3


@pytest.mark.parametrize("sockets", SOCKET_OPTIONS)
async def test_a_quiet_stream_beats_with_the_last_seq_and_a_busy_one_does_not(
    app_factory: AppFactory, sockets: str
) -> None:
    app = app_factory(stream_heartbeat_seconds=HEARTBEAT)
    container: Container = app.state.container
    async with api_client(app) as api:
        user, token = await signed_in(api, container)
    async with (
        serving(app, SOCKET_OPTIONS[sockets]) as address,
        open_stream(address, user.client_id, query=f"token={token}") as socket,
    ):
        hello = await next_message(socket)
        assert hello["type"] == "hello"

        started = time.monotonic()
        beat = await next_message(socket, within=HEARTBEAT * 10)
        assert beat["type"] == "heartbeat"
        assert beat["seq"] == hello["seq"]
        assert time.monotonic() - started >= HEARTBEAT * 0.8, "a beat comes only after a quiet spell"

        # Events every third of a heartbeat for three heartbeats: none of the frames is a beat.
        sent: list[int] = []
        for _ in range(9):
            container.events.publish(user.client_id, AgentStatusData(state="running"))
            event = await next_message(socket, within=HEARTBEAT * 10)
            assert event["type"] == "agent.status", event
            sent.append(event["seq"])
            await asyncio.sleep(HEARTBEAT / 3)

        quiet = await next_message(socket, within=HEARTBEAT * 10)
        assert quiet == {**quiet, "type": "heartbeat", "seq": sent[-1]}
        assert sent == list(range(hello["seq"] + 1, hello["seq"] + 10))
