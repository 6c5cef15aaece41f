"""A checked broker endpoint is connected to at the address the guard checked, at every connection.

A name could pass the guard and then, looked up again when the socket opens, answer a private
address (DNS rebinding). These tests give hosts that cannot resolve (`.invalid`) or a resolver
that changes its answer, and real sockets: a connection that succeeds went where the guard said.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from backend.brokers.base import ConnectionState
from backend.brokers.ibkr import IbkrBroker, IbkrSettings
from backend.brokers.ibkr.fake_gateway import FakeGateway
from backend.brokers.simulator import AccountConfig
from backend.runtime.endpoint_guard import BrokerEndpointRefused, EndpointGuard
from backend.runtime.guarded_http import GuardedTransport
from backend.tests.brokers.factories import create_market
from backend.tests.brokers.ibkr.harness import ACCOUNT, FAST, until


class _Pins:
    """A guard stand-in that sends every host to loopback and remembers what it was asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, int]] = []

    async def __call__(self, host: str, port: int) -> str:
        self.asked.append((host, port))
        return "127.0.0.1"


@pytest.fixture
async def http_server() -> AsyncIterator[tuple[int, list[bytes]]]:
    """A loopback HTTP server that answers 200 and keeps each request's head; closes after answering."""
    heads: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heads.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1], heads
    server.close()
    await server.wait_closed()


async def test_an_http_connection_opens_to_the_checked_address_and_keeps_the_host_name(
    http_server: tuple[int, list[bytes]],
) -> None:
    port, heads = http_server
    pins = _Pins()
    async with httpx.AsyncClient(transport=GuardedTransport(pins)) as http:
        first = await http.get(f"http://poems.invalid:{port}/a")
        second = await http.get(f"http://poems.invalid:{port}/b")
    assert (first.text, second.text) == ("ok", "ok")
    # Each new connection (the server closes after every answer) asked the guard again.
    assert pins.asked == [("poems.invalid", port), ("poems.invalid", port)]
    assert all(f"host: poems.invalid:{port}".encode() in head.lower() for head in heads)


async def test_a_name_that_turns_private_is_refused_at_its_next_connection(
    http_server: tuple[int, list[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, heads = http_server
    answers = iter(["127.0.0.1", "127.0.0.2"])  # the second lookup "rebinds" to an address not allowed

    async def resolver(host: str, port: int, **_: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    # DNS is the one thing here we cannot run: its answers are scripted on the loop's resolver.
    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", resolver)
    guard = EndpointGuard(allow_private=False, allowed=["127.0.0.1/32"])
    async with httpx.AsyncClient(transport=GuardedTransport(guard.pin)) as http:
        assert (await http.get(f"http://gateway.example:{port}/")).text == "ok"
        with pytest.raises(BrokerEndpointRefused, match=r"127\.0\.0\.2"):
            await http.get(f"http://gateway.example:{port}/")
    assert len(heads) == 1, "the refused connection was never opened"


async def test_an_ibkr_session_connects_and_reconnects_to_the_address_the_guard_checked() -> None:
    gateway = FakeGateway(
        create_market(), ACCOUNT, account_config=AccountConfig(starting_cash=Decimal(10**6))
    )
    port = await gateway.start("127.0.0.1", 0)
    pins = _Pins()
    settings = IbkrSettings(host="gateway.invalid", port=port, client_id=31, account_code=ACCOUNT)
    broker = IbkrBroker(settings, FAST, clock=gateway.market.now, connect_to=pins)
    try:
        await broker.connect()
        assert broker.state is ConnectionState.CONNECTED
        gateway.drop_connections()
        await until(lambda: broker.conn.reconnects == 1 and broker.state is ConnectionState.CONNECTED)
        # Checked again before the reconnect: a name is never trusted for longer than one connection.
        assert pins.asked[:2] == [("gateway.invalid", port), ("gateway.invalid", port)]
    finally:
        await broker.close()
        await gateway.stop()
