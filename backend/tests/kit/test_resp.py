"""The event bus's lean Redis connection against a real Redis: calls, errors, auth, pub/sub, loss, timeouts."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis import exceptions as redis_errors
from redis.asyncio import Redis

from backend.kit.resp import Endpoint, RespConnection
from backend.tests.fakes.redis_wire import read_command, stand_in


def _url() -> str:
    return os.environ["TEST_REDIS_URL"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def guarded_redis(tmp_path: Path) -> Iterator[int]:
    """A Redis of the test's own that requires a password; yields its port (its socket is in `tmp_path`)."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    options = ["--port", str(port), "--bind", "127.0.0.1", "--requirepass", "s3cret", "--save", ""]
    options += ["--unixsocket", str(tmp_path / "redis.sock"), "--dir", str(tmp_path)]
    process = subprocess.Popen([server, *options], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.1):
                break
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(10)


@contextlib.asynccontextmanager
async def _silent_server(answers: int) -> AsyncIterator[int]:
    """A local stand-in for a stalled Redis: answers the first `answers` commands, then nothing."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in range(answers):
            await read_command(reader)
            writer.write(b"+OK\r\n")
        await reader.read()  # then hold the line until the client hangs up
        writer.close()

    async with stand_in(handle) as port:
        yield port


def test_urls_are_read_for_host_tls_credentials_and_database() -> None:
    assert Endpoint.from_url("rediss://reader:p%40ss@cache.internal:6380/2") == Endpoint(
        host="cache.internal", port=6380, path=None, tls=True, username="reader", password="p@ss", db=2
    )
    assert Endpoint.from_url("redis://:only-password@127.0.0.1") == Endpoint(
        host="127.0.0.1", port=6379, path=None, tls=False, username=None, password="only-password", db=0
    )
    assert Endpoint.from_url("unix:///run/redis.sock?db=3&password=p%40ss") == Endpoint(
        host=None, port=6379, path="/run/redis.sock", tls=False, username=None, password="p@ss", db=3
    )
    with pytest.raises(ValueError, match="scheme"):
        Endpoint.from_url("http://127.0.0.1:6379")


@pytest.mark.redis
async def test_concurrent_calls_are_answered_in_order_and_error_replies_raise_redis_errors() -> None:
    connection = await RespConnection.open(_url(), name="test-resp")
    key = f"test-resp:{uuid.uuid4()}"
    try:
        replies = await asyncio.gather(*(connection.call("INCR", key) for _ in range(50)))
        assert replies == list(range(1, 51))
        with pytest.raises(redis_errors.NoScriptError):
            await connection.call("EVALSHA", "0" * 40, 0)
        with pytest.raises(redis_errors.ResponseError, match="wrong number of arguments"):
            await connection.call("GET")
        assert await connection.call("GET", key) == "50"  # an error reply leaves the connection usable
    finally:
        connection.close()
    # The URL's database was selected: the shared client on the same URL reads the key.
    client = Redis.from_url(_url(), decode_responses=True)
    try:
        assert await client.get(key) == "50"
        await client.delete(key)
    finally:
        await client.aclose()


async def test_a_password_protected_redis_takes_the_urls_credentials_and_refuses_wrong_ones(
    guarded_redis: int,
) -> None:
    for url in (
        f"redis://:s3cret@127.0.0.1:{guarded_redis}/1",
        f"redis://default:s3cret@127.0.0.1:{guarded_redis}",
    ):
        connection = await RespConnection.open(url, name="test-resp")
        assert await connection.call("PING") == "PONG"
        connection.close()
    with pytest.raises(redis_errors.ResponseError, match="WRONGPASS"):
        await RespConnection.open(f"redis://:wrong@127.0.0.1:{guarded_redis}", name="test-resp")
    with pytest.raises(redis_errors.ResponseError, match="NOAUTH"):  # refused when it asks for RESP3
        await RespConnection.open(f"redis://127.0.0.1:{guarded_redis}", name="test-resp")


@pytest.mark.redis
async def test_messages_reach_the_callback_and_a_killed_connection_fails_its_waiting_calls() -> None:
    received: list[str] = []
    arrived = asyncio.Event()

    def on_message(data: str) -> None:
        received.append(data)
        arrived.set()

    name = f"test-resp-{uuid.uuid4().hex[:8]}"
    channel = f"test-resp:{uuid.uuid4()}"
    connection = await RespConnection.open(_url(), name=name, on_message=on_message)
    client = Redis.from_url(_url(), decode_responses=True)
    try:
        assert await connection.call("SUBSCRIBE", channel) == ["subscribe", channel, 1]
        await client.publish(channel, "first\nline")
        await asyncio.wait_for(arrived.wait(), 2)
        assert received == ["first\nline"]
        arrived.clear()
        await client.publish(channel, b"not utf-8 \xff")
        await asyncio.wait_for(arrived.wait(), 2)
        assert received[-1] == "not utf-8 \ufffd"  # and the connection stays up
        [mine] = [entry for entry in await client.client_list() if entry["name"] == name]
        await client.client_kill_filter(_id=mine["id"])
        await asyncio.wait_for(connection.wait_closed(), 2)
        assert connection.is_closed
        with pytest.raises(redis_errors.ConnectionError):
            await connection.call("PING")
    finally:
        connection.close()
        await client.aclose()


async def test_a_call_the_server_never_answers_times_out_and_closes_the_connection() -> None:
    async with _silent_server(answers=2) as port:  # answers HELLO and CLIENT SETNAME, then stalls
        connection = await RespConnection.open(
            f"redis://127.0.0.1:{port}", name="test-resp", call_seconds=0.2
        )
        with pytest.raises(redis_errors.TimeoutError):
            await connection.call("PING")
        # A late answer would be taken for the next call's: the connection is not used again.
        await asyncio.wait_for(connection.wait_closed(), 2)
        with pytest.raises(redis_errors.ConnectionError):
            await connection.call("PING")
    async with _silent_server(answers=0) as port:
        with pytest.raises(redis_errors.TimeoutError):
            await RespConnection.open(f"redis://127.0.0.1:{port}", name="test-resp", call_seconds=0.2)


@pytest.mark.redis
async def test_one_connection_subscribes_and_calls_and_sees_replies_and_messages_in_redis_order() -> None:
    seen: list[tuple[str, object]] = []
    channel = f"test-resp:{uuid.uuid4()}"
    connection = await RespConnection.open(
        _url(), name="test-resp", on_message=lambda data: seen.append(("message", data))
    )
    publish_then = "redis.call('PUBLISH', KEYS[1], ARGV[1]); return tonumber(ARGV[2])"
    try:
        assert await connection.call("SUBSCRIBE", channel) == ["subscribe", channel, 1]
        # Sent together: the first reply, the second script's message, then its reply, in that order.
        replies = await asyncio.gather(
            connection.call("EVAL", "return 1", 0, on_reply=lambda reply: seen.append(("reply", reply))),
            connection.call(
                "EVAL", publish_then, 1, channel, "inside", 2, on_reply=lambda r: seen.append(("reply", r))
            ),
        )
        assert list(replies) == [1, 2]
        assert seen == [("reply", 1), ("message", "inside"), ("reply", 2)]
        assert await connection.call("PING") == "PONG"  # calls go on while subscribed
    finally:
        connection.close()
