"""Replay after a reconnect, visible gaps, events only after commit, and the bus across two processes."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection

from backend.kit.container import Container
from backend.kit.db import TenantScope, scoped_session
from backend.realtime.publish import emit
from backend.realtime.redis_bus import CONNECTION_NAME, RedisBus
from backend.realtime.schemas import ChatMessageData
from backend.tests.conftest import ClientUser, api_client, bearer, create_client_user
from backend.tests.realtime.helpers import events_until, next_message, open_stream, serving, signed_in


async def _say(container: Container, user: ClientUser, text: str) -> None:
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as db:
        emit(db, user.client_id, ChatMessageData(role="system", text=text))


@contextlib.asynccontextmanager
async def _watching(
    app: FastAPI, api: httpx.AsyncClient, container: Container
) -> AsyncIterator[tuple[ClientUser, ClientConnection, dict[str, Any]]]:
    """Sign a client user in and open their stream on a served app; yield them, the socket and its hello."""
    user, token = await signed_in(api, container)
    async with (
        serving(app) as address,
        open_stream(address, user.client_id, query=f"token={token}") as socket,
    ):
        yield user, socket, await next_message(socket)


def _texts(events: list[dict[str, Any]]) -> list[str]:
    return [e["data"]["text"] for e in events if e["type"] == "chat.message"]


async def test_a_reconnecting_reader_sees_the_gap_and_replays_exactly_what_it_missed(
    app: FastAPI, api: httpx.AsyncClient, container: Container
) -> None:
    user, token = await signed_in(api, container)
    async with serving(app) as address:
        async with open_stream(address, user.client_id, query=f"token={token}") as socket:
            await next_message(socket)
            for text in ("one", "two"):
                await _say(container, user, text)
            seen = await events_until(socket, lambda got: len(got) == 2)
        for text in ("three", "four", "five"):
            await _say(container, user, text)
        await container.events.flush()
        async with open_stream(address, user.client_id, query=f"token={token}") as socket:
            hello = await next_message(socket)
    last = seen[-1]["seq"]
    assert hello["seq"] == last + 3  # the gap a reconnecting reader sees
    page = (await api.get(f"/clients/{user.client_id}/events?after={last}", headers=bearer(token))).json()
    assert [e["seq"] for e in page["events"]] == [last + 1, last + 2, last + 3]
    assert _texts(page["events"]) == ["three", "four", "five"]
    assert page["complete"] is True
    assert page["current_seq"] == hello["seq"]


async def test_replay_says_when_the_buffer_no_longer_reaches_back(app_factory: Any) -> None:
    app = app_factory(stream_replay_capacity=3)
    container: Container = app.state.container
    async with api_client(app) as api:
        user, token = await signed_in(api, container)
        for n in range(5):
            await _say(container, user, f"event {n}")
        await container.events.flush()
        page = (await api.get(f"/clients/{user.client_id}/events?after=0", headers=bearer(token))).json()
        recent = (await api.get(f"/clients/{user.client_id}/events?after=2", headers=bearer(token))).json()
    assert page["complete"] is False
    assert page["oldest_seq"] == page["current_seq"] - 2
    assert _texts(page["events"]) == ["event 2", "event 3", "event 4"]
    assert recent["complete"] is True
    assert _texts(recent["events"]) == ["event 2", "event 3", "event 4"]


async def test_a_rolled_back_transaction_publishes_nothing_and_a_savepoint_publishes_nothing_early(
    container: Container,
) -> None:
    user = await create_client_user(container)
    with pytest.raises(RuntimeError):
        async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as db:
            emit(db, user.client_id, ChatMessageData(role="system", text="rolled back"))
            raise RuntimeError("abort")
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as db:
        emit(db, user.client_id, ChatMessageData(role="system", text="committed"))
        async with db.begin_nested():
            pass
        await container.events.flush()
        assert await container.events.current_seq(user.client_id) == 0
    await container.events.flush()
    replay = await container.events.replay(user.client_id, 0)
    assert [text for text in replay.events if "rolled back" in text] == []
    assert len(replay.events) == 1
    assert '"committed"' in replay.events[0]
    assert replay.current_seq == 1


@pytest.mark.redis
async def test_with_redis_an_event_from_one_process_reaches_a_socket_on_another_exactly_once(
    app_factory: Any,
) -> None:
    sender, receiver = app_factory(), app_factory()
    sending: Container = sender.state.container
    async with api_client(receiver) as api:
        user, token = await signed_in(api, receiver.state.container)
    async with (
        serving(receiver) as address,
        open_stream(address, user.client_id, query=f"token={token}") as socket,
    ):
        hello = await next_message(socket)
        await _say(sending, user, "across processes")
        await _say(sending, user, "marker")
        events = await events_until(socket, lambda got: "marker" in _texts(got))
        await asyncio.sleep(0.3)  # a duplicate would arrive now
        with pytest.raises(TimeoutError):
            await next_message(socket, within=0.5)
    assert _texts(events) == ["across processes", "marker"]
    assert [e["seq"] for e in events] == [hello["seq"] + 1, hello["seq"] + 2]
    replay = await receiver.state.container.events.replay(user.client_id, hello["seq"])
    assert len(replay.events) == 2


@pytest.mark.redis
async def test_with_redis_publishing_survives_redis_forgetting_its_scripts(
    app: FastAPI, api: httpx.AsyncClient, container: Container
) -> None:
    user, _ = await signed_in(api, container)
    assert container.redis is not None
    await _say(container, user, "before")
    await container.events.flush()
    await container.redis.script_flush()  # what a Redis restart or failover does to loaded scripts
    await _say(container, user, "after")
    await container.events.flush()
    replay = await container.events.replay(user.client_id, 0)
    assert [text.count('"text":"before"') + text.count('"text":"after"') for text in replay.events] == [1, 1]
    assert replay.current_seq == 2


@pytest.mark.redis
async def test_with_redis_a_burst_for_two_clients_arrives_whole_in_order_on_another_process(
    app_factory: Any,
) -> None:
    sender, receiver = app_factory(), app_factory()
    sending: Container = sender.state.container
    async with api_client(receiver) as api:
        (first, first_token), (second, second_token) = [
            await signed_in(api, receiver.state.container) for _ in range(2)
        ]
    count = 120
    async with (
        serving(receiver) as address,
        open_stream(address, first.client_id, query=f"token={first_token}", max_queue=None) as one,
        open_stream(address, second.client_id, query=f"token={second_token}", max_queue=None) as two,
    ):
        hellos = [await next_message(one), await next_message(two)]
        # Published without a pause between them, so they leave in a few batches of many events.
        for i in range(count):
            for user in (first, second):
                sending.events.publish(
                    user.client_id, ChatMessageData(role="system", text=f"{user.email} {i}")
                )
        received = [await events_until(socket, lambda got: len(got) == count) for socket in (one, two)]
        with pytest.raises(TimeoutError):
            await next_message(one, within=0.5)  # nothing more: no event arrived twice
    for user, hello, events in zip((first, second), hellos, received, strict=True):
        assert _texts(events) == [f"{user.email} {i}" for i in range(count)]
        assert [e["seq"] for e in events] == list(range(hello["seq"] + 1, hello["seq"] + 1 + count))


@pytest.mark.redis
async def test_with_redis_a_malformed_line_is_skipped_and_the_rest_of_its_batch_delivered(
    app: FastAPI, api: httpx.AsyncClient, container: Container
) -> None:
    assert container.redis is not None
    assert isinstance(container.events, RedisBus)
    async with _watching(app, api, container) as (user, socket, hello):
        seq = hello["seq"] + 1
        event = f'{{"seq":{seq},"type":"chat.message","ts":"2026-11-24T00:00:00+00:00",'
        event += (
            f'"client_id":"{user.client_id}","data":{{"message_id":null,"role":"system","text":"kept"}}}}'
        )
        await container.redis.publish(
            container.events.channel, f"not-a-client-id {{}}\n{user.client_id} {event}"
        )
        delivered = await next_message(socket)
    assert delivered["seq"] == seq
    assert delivered["data"]["text"] == "kept"


@pytest.mark.redis
async def test_with_redis_a_lost_subscription_comes_back_and_its_reader_replays_the_gap(
    app_factory: Any,
) -> None:
    sender, receiver = app_factory(), app_factory()
    sending: Container = sender.state.container
    container: Container = receiver.state.container
    assert container.redis is not None
    async with api_client(receiver) as api, _watching(receiver, api, container) as (user, socket, hello):
        await _say(container, user, "before")  # its own event, served from its script's reply
        await _say(sending, user, "from the other process")
        assert _texts(await events_until(socket, lambda got: len(got) == 2)) == [
            "before",
            "from the other process",
        ]
        mine = [c for c in await container.redis.client_list() if c["name"] == CONNECTION_NAME]
        assert mine, "this process's event bus is not connected"
        for connection in mine:
            if connection["sub"] != "0":  # the receiver's, not the sender's (it serves no reader)
                await container.redis.client_kill_filter(_id=connection["id"])
        await _say(sending, user, "while away")  # published while this process hears nothing
        arrived: list[dict[str, Any]] = []
        for attempt in range(40):  # the listener resubscribes after RESUBSCRIBE_DELAY
            await _say(sending, user, f"back {attempt}")
            with contextlib.suppress(TimeoutError):
                arrived.append(await next_message(socket, within=0.25))
                break
    assert arrived, "no event arrived after the subscription was lost"
    assert arrived[0]["seq"] > hello["seq"] + 3  # the reader sees the gap...
    replay = await container.events.replay(user.client_id, hello["seq"] + 2)
    assert _texts([json.loads(text) for text in replay.events])[0] == "while away"  # ...and can fill it
