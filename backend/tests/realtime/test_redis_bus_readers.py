"""With Redis, a process receives only the events of clients it serves readers of, while it renews that."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from redis.asyncio import Redis

from backend.realtime.redis_bus import HEALTH_CHECK_SECONDS, READER_TTL_SECONDS, RedisBus
from backend.realtime.schemas import ChatMessageData

pytestmark = pytest.mark.redis


def _url() -> str:
    url = os.environ.get("TEST_REDIS_URL")
    assert url, "marked redis: runs only with TEST_REDIS_URL"
    return url


@asynccontextmanager
async def _buses(
    count: int,
    health_check_seconds: float = HEALTH_CHECK_SECONDS,
    reader_ttl_seconds: float = READER_TTL_SECONDS,
) -> AsyncIterator[list[RedisBus]]:
    """Buses of separate processes (one each, as in production) on the test Redis."""
    redis = Redis.from_url(_url(), decode_responses=True)
    buses = [
        RedisBus(
            redis,
            _url(),
            health_check_seconds=health_check_seconds,
            reader_ttl_seconds=reader_ttl_seconds,
        )
        for _ in range(count)
    ]
    try:
        yield buses
    finally:
        for bus in buses:
            await bus.close()
        await redis.aclose()


@asynccontextmanager
async def _channel_log() -> AsyncIterator[dict[str, list[str]]]:
    """Every message on every process's event channel, by channel, lines split."""
    redis = Redis.from_url(_url(), decode_responses=True)
    pubsub = redis.pubsub()
    await pubsub.psubscribe("greekdesk:stream:*")
    log: dict[str, list[str]] = {}

    async def read() -> None:
        async for message in pubsub.listen():
            if message["type"] == "pmessage":
                log.setdefault(message["channel"], []).append(message["data"])

    reading = asyncio.create_task(read())
    try:
        yield log
    finally:
        reading.cancel()
        await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it unannotated
        await redis.aclose()


def _said(text: str) -> ChatMessageData:
    return ChatMessageData(role="system", text=text)


async def test_each_process_gets_one_message_a_batch_with_only_its_readers_clients() -> None:
    first, second, nobody = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with _channel_log() as log, _buses(3) as (serving_first, serving_second, worker):
        reader_of_first = await serving_first.subscribe(first)
        reader_of_second = await serving_second.subscribe(second)
        for client_id in (first, second, nobody, first):  # one batch: the worker publishes them together
            worker.publish(client_id, _said(f"for {client_id}"))
        await worker.flush()
        await asyncio.sleep(0.3)  # pub/sub delivery is asynchronous
    assert set(log) == {serving_first.channel, serving_second.channel}  # none for the worker
    assert len(log[serving_first.channel]) == 1
    assert len(log[serving_second.channel]) == 1
    first_lines = log[serving_first.channel][0].split("\n")
    assert [line.split(" ", 1)[0] for line in first_lines] == [str(first), str(first)]
    assert [line.split(" ", 1)[0] for line in log[serving_second.channel][0].split("\n")] == [str(second)]
    assert [reader_of_first.queue.get_nowait()[0] for _ in range(2)] == [1, 2]
    assert reader_of_first.queue.empty()
    assert reader_of_second.queue.get_nowait()[0] == 1
    assert reader_of_second.queue.empty()


async def test_a_process_that_stops_renewing_is_no_longer_sent_its_clients_events() -> None:
    client_id = uuid.uuid4()
    quick = _buses(3, health_check_seconds=0.2, reader_ttl_seconds=2)
    async with _channel_log() as log, quick as (stopped, renewing, worker):
        await stopped.subscribe(client_id)
        reader = await renewing.subscribe(client_id)
        await stopped.close()  # as a killed process: no more renewals, nothing unregistered
        await asyncio.sleep(2.5)  # past the two-second registration, renewed every 0.2 s by the other
        worker.publish(client_id, _said("after the lapse"))
        await worker.flush()
        await asyncio.sleep(0.3)
        redis = Redis.from_url(_url(), decode_responses=True)
        registered = await redis.zrange(f"greekdesk:events:{client_id}:readers", 0, -1)
        await redis.aclose()
    assert stopped.channel not in log
    assert len(log[renewing.channel]) == 1  # the one that renews every health check still receives
    assert reader.queue.get_nowait()[0] == 1
    assert registered == [renewing.channel.rsplit(":", 1)[1]]  # the lapsed one was pruned


async def test_a_process_serves_its_own_events_from_the_scripts_reply_not_through_its_channel() -> None:
    client_id = uuid.uuid4()
    async with _channel_log() as log, _buses(1) as (serving,):
        reader = await serving.subscribe(client_id)
        for n in range(3):
            serving.publish(client_id, _said(f"own {n}"))
        await serving.flush()
        await asyncio.sleep(0.3)  # a message on its channel would have arrived now
    assert log == {}
    assert [reader.queue.get_nowait()[0] for _ in range(3)] == [1, 2, 3]
    assert reader.queue.empty()


async def test_readers_in_two_processes_publishing_for_one_client_both_see_every_seq_in_order() -> None:
    client_id = uuid.uuid4()
    rounds = 100  # two events a round, within a reader's queue
    async with _buses(2) as buses:
        readers = [await bus.subscribe(client_id) for bus in buses]
        for n in range(rounds):
            # Both send their script call at once: the first one's reply and the second one's message
            # reach the first process together, and its own events must still come first.
            for bus in buses:
                bus.publish(client_id, _said(f"round {n}"))
            await asyncio.gather(*(bus.flush() for bus in buses))
        await asyncio.sleep(0.3)
    for reader in readers:
        assert [reader.queue.get_nowait()[0] for _ in range(2 * rounds)] == list(range(1, 2 * rounds + 1))
        assert reader.queue.empty()
