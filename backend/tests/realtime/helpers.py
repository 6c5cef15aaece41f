"""Real sockets for the stream tests: the app served by uvicorn on a free port, read with `websockets`."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection, connect

from backend.cli import SERVER_OPTIONS
from backend.kit.container import Container
from backend.tests.conftest import ClientUser, create_client_user, login

SERVED = {key: SERVER_OPTIONS[key] for key in ("ws", "ws_per_message_deflate")}
"""As `greekdesk run` serves streams: frames written straight to the socket."""
QUEUED = {"ws": "auto", "ws_per_message_deflate": True}
"""uvicorn's defaults (no frame writer, compression on): every frame through ASGI from the queue."""
SERVED_COMPRESSED = {**SERVED, "ws_per_message_deflate": True}
"""Our protocol where a reader negotiated compression: frames differ per socket, so they are queued."""
SOCKET_OPTIONS = {"served": SERVED, "queued": QUEUED, "served-compressed": SERVED_COMPRESSED}


async def signed_in(api: httpx.AsyncClient, container: Container) -> tuple[ClientUser, str]:
    """Create a client user and sign in: the user and an access token."""
    user = await create_client_user(container)
    return user, (await login(api, user.email))["access_token"]


@asynccontextmanager
async def serving(app: FastAPI, options: Mapping[str, Any] = SERVED) -> AsyncIterator[str]:
    """Serve `app` on 127.0.0.1 (a free port) for the block; yield its `host:port`."""
    # The test's app fixture owns the container's life, so uvicorn runs no lifespan.
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="warning", **options)
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def open_stream(
    address: str,
    client_id: Any,
    *,
    query: str,
    origin: str | None = None,
    max_queue: int | None = 64,
    receive_buffer: int | None = None,
) -> AsyncIterator[ClientConnection]:
    """Open `/clients/{client_id}/stream?{query}`; the handshake's refusal raises.

    `receive_buffer` pins the kernel's receive buffer (no autotuning), so a reader that stops
    reading pushes back on the server after a known amount of data.
    """
    url = f"ws://{address}/clients/{client_id}/stream?{query}"
    host, port = address.rsplit(":", 1)
    sock = None
    if receive_buffer is not None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
    async with connect(url, origin=origin, max_queue=max_queue, open_timeout=5, sock=sock) as ws:  # type: ignore[arg-type]
        yield ws


async def next_message(socket: ClientConnection, within: float = 5.0) -> dict[str, Any]:
    """Read one JSON message (failing the test after `within` seconds)."""
    raw = await asyncio.wait_for(socket.recv(), within)
    message: dict[str, Any] = json.loads(raw)
    return message


async def events_until(socket: ClientConnection, done: Any, within: float = 10.0) -> list[dict[str, Any]]:
    """Read events (skipping heartbeats) until `done(events)` is true."""
    events: list[dict[str, Any]] = []
    async with asyncio.timeout(within):
        while not done(events):
            message = await next_message(socket, within)
            if message["type"] != "heartbeat":
                events.append(message)
    return events


@asynccontextmanager
async def stalled_reader(address: str, client_id: Any, query: str) -> AsyncIterator[socket.socket]:
    """Open a stream by hand over a socket with a tiny receive buffer, read the handshake, then stop reading."""
    host, port = address.rsplit(":", 1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    try:
        await loop.sock_connect(sock, (host, int(port)))
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET /clients/{client_id}/stream?{query} HTTP/1.1\r\nHost: {address}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        await loop.sock_sendall(sock, request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += await loop.sock_recv(sock, 1)
        assert head.startswith(b"HTTP/1.1 101"), head
        yield sock
    finally:
        sock.close()
