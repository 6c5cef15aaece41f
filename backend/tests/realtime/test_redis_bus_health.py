"""A subscription whose Redis stops answering is noticed by its health check and replaced."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

from backend.realtime.redis_bus import RedisBus
from backend.tests.fakes.redis_wire import read_command, stand_in


@asynccontextmanager
async def _stalling_redis(
    connections: list[list[list[bytes]]], resubscribed: asyncio.Event
) -> AsyncIterator[int]:
    """A stand-in for a Redis whose network goes silent once a subscription is confirmed.

    Records each connection's commands in `connections`, never answers a PING, and sets
    `resubscribed` when a second connection subscribes. Script calls (the bus registering as its
    client's reader) are answered: only the silent subscription is at stake.
    """

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen: list[list[bytes]] = []
        connections.append(seen)
        try:
            while True:
                command = await read_command(reader)
                seen.append(command)
                if command[0].upper() in (b"CLIENT", b"HELLO"):
                    writer.write(b"+OK\r\n")
                elif command[0].upper() == b"SCRIPT":
                    writer.write(b"$40\r\n%b\r\n" % (b"0" * 40))
                elif command[0].upper() == b"EVALSHA":
                    writer.write(b":1\r\n")
                elif command[0].upper() == b"SUBSCRIBE":
                    channel = command[1]
                    writer.write(b">3\r\n$9\r\nsubscribe\r\n$%d\r\n%b\r\n:1\r\n" % (len(channel), channel))
                    if sum([b"SUBSCRIBE", channel] in seen for seen in connections) > 1:
                        resubscribed.set()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async with stand_in(handle) as port:
        yield port


async def test_a_subscription_that_stops_answering_its_ping_is_dropped_and_made_again() -> None:
    connections: list[list[list[bytes]]] = []
    resubscribed = asyncio.Event()
    async with _stalling_redis(connections, resubscribed) as port:
        url = f"redis://127.0.0.1:{port}"
        redis = Redis.from_url(url)
        bus = RedisBus(redis, url, health_check_seconds=0.2)
        try:
            await bus.subscribe(uuid.uuid4())
            # Health check after 0.2 s, no PONG within the call timeout, a pause, then a new subscription.
            await asyncio.wait_for(resubscribed.wait(), 10)
        finally:
            await bus.close()
            await redis.aclose()
    channel = bus.channel.encode()
    assert [b"SUBSCRIBE", channel] in connections[1]
    first = [command[0] for command in connections[0]]
    assert first[:4] == [b"HELLO", b"CLIENT", b"SUBSCRIBE", b"SCRIPT"]  # then registered as a reader
    assert first[-1] == b"PING"  # never answered: the connection was given up
