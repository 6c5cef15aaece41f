"""A lean Redis connection for the event bus's hot path: RESP3 over one asyncio protocol.

redis-py serves every other use. The bus makes one script call per publishing batch and receives one
pub/sub message per batch from other processes; through redis-py's command path and its pub/sub
reader each of those cost more CPU than the fan-out it feeds (bench/README.md, ws_fanout). Here a
call is one write and a future answered from `data_received`, and a pub/sub message is handed to its
callback from `data_received`, with no task in between. hiredis parses the replies in C.

RESP3 lets one connection both subscribe and call, so replies and messages arrive in the order Redis
sent them: the bus relies on that to hand its own events to local readers from its script's reply,
in seq order with other processes' events (backend/realtime/redis_bus.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import ssl
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import parse_qs, unquote, urlsplit

import hiredis
from redis import exceptions as redis_errors
from redis.exceptions import NoScriptError, ResponseError

Arg = str | bytes | int
OnMessage = Callable[[str], None]
OnReply = Callable[[object], None]
_CONFIRMATIONS = frozenset(
    ("subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe")
)
"""Pushes that answer a (un)subscribing call: under RESP3 they are its only reply."""
logger = logging.getLogger("greekdesk.redis")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where and as whom to connect, read from a `redis://`, `rediss://` or `unix://` URL."""

    host: str | None
    port: int
    path: str | None
    tls: bool
    username: str | None
    password: str | None
    db: int

    @classmethod
    def from_url(cls, url: str) -> Endpoint:
        """Read a Redis URL as redis-py does for these schemes; raise ValueError for any other."""
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss", "unix"):
            raise ValueError(f"unsupported Redis URL scheme {parts.scheme!r}")
        query = parse_qs(parts.query)
        db_text = query.get("db", [""])[0]
        if not db_text and parts.scheme != "unix":
            db_text = parts.path.lstrip("/")
        return cls(
            host=None if parts.scheme == "unix" else parts.hostname or "localhost",
            port=parts.port or 6379,
            path=parts.path if parts.scheme == "unix" else None,
            tls=parts.scheme == "rediss",
            username=unquote(parts.username) if parts.username else None,
            # As redis-py reads it: in the address, or as `?password=` (the unix form's only place).
            password=unquote(parts.password) if parts.password else query.get("password", [None])[0],
            db=int(db_text or 0),
        )


def pack(args: tuple[Arg, ...]) -> bytes:
    """Encode one command as a RESP array of bulk strings."""
    # In C: a batch's script call has five arguments an event, encoded about four times faster
    # than by Python's bytes formatting (bench/README.md, ws_fanout).
    # hiredis's stub types its argument as a one-element tuple; it takes any number.
    packed: bytes = hiredis.pack_command(cast(Any, args))
    return packed


def _error(reply: ResponseError) -> ResponseError:
    # redis-py's taxonomy, so callers catch what they would catch from it.
    text = str(reply)
    return NoScriptError(text) if text.startswith("NOSCRIPT") else reply


class RespConnection(asyncio.Protocol):
    """One connection: calls are answered in the order sent; pub/sub messages go to `on_message`."""

    def __init__(self, on_message: OnMessage | None = None, call_seconds: float = 2.0) -> None:
        # Bytes that are not UTF-8 (anyone with write access can publish them) become U+FFFD rather
        # than an exception that would drop the connection.
        self._reader = hiredis.Reader(encoding="utf-8", errors="replace", replyError=ResponseError)
        self._waiting: deque[tuple[asyncio.Future[object], OnReply | None]] = deque()
        self._on_message = on_message
        self._call_seconds = call_seconds
        self._transport: asyncio.Transport | None = None
        self._closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    @classmethod
    async def open(
        cls, url: str, *, name: str, on_message: OnMessage | None = None, call_seconds: float = 2.0
    ) -> RespConnection:
        """Connect, authenticate, switch to RESP3 and select the URL's database; raise a RedisError on failure.

        Connecting, and later each call, may take up to `call_seconds`.
        """
        endpoint = Endpoint.from_url(url)
        loop = asyncio.get_running_loop()
        protocol = functools.partial(cls, on_message, call_seconds)
        try:
            async with asyncio.timeout(call_seconds):
                if endpoint.path is not None:
                    _, connection = await loop.create_unix_connection(protocol, endpoint.path)
                else:
                    assert endpoint.host is not None
                    context = ssl.create_default_context() if endpoint.tls else None
                    _, connection = await loop.create_connection(
                        protocol, endpoint.host, endpoint.port, ssl=context
                    )
        except (OSError, TimeoutError) as exc:
            raise redis_errors.ConnectionError(f"could not connect to Redis: {exc}") from exc
        try:
            if endpoint.password is not None:
                credentials = (
                    (endpoint.username, endpoint.password) if endpoint.username else (endpoint.password,)
                )
                await connection.call("AUTH", *credentials)
            await connection.call("HELLO", 3)  # Redis 6 or newer; an error here is raised, not ignored
            if endpoint.db:
                await connection.call("SELECT", endpoint.db)
            with contextlib.suppress(ResponseError):  # a managed Redis may refuse CLIENT: only a label
                await connection.call("CLIENT", "SETNAME", name)
        except BaseException:
            connection.close()
            raise
        return connection

    async def call(self, *args: Arg, on_reply: OnReply | None = None) -> object:
        """Send one command and return its reply; an error reply is raised as redis-py's error.

        `on_reply` sees a reply that is not an error as it is read, before any message read after
        it is handed on, even if the caller has stopped waiting.
        """
        if self._transport is None or self._transport.is_closing():
            raise redis_errors.ConnectionError("the Redis connection is closed")
        reply = asyncio.get_running_loop().create_future()
        self._waiting.append((reply, on_reply))
        self._transport.write(pack(args))
        try:
            async with asyncio.timeout(self._call_seconds):
                return await reply
        except TimeoutError as exc:
            # A late reply would answer the next call: this connection cannot be trusted any more.
            self.close()
            raise redis_errors.TimeoutError(
                f"Redis did not answer {args[0]!r} within {self._call_seconds} s"
            ) from exc

    @property
    def is_closed(self) -> bool:
        """Say whether the connection is gone or going (closed here, by the server or by the network)."""
        return self._closed.done() or (self._transport is not None and self._transport.is_closing())

    async def wait_closed(self) -> None:
        """Return once the connection is gone (closed here, by the server or by the network)."""
        await asyncio.shield(self._closed)

    def close(self) -> None:
        """Close the connection; calls still waiting fail with redis-py's ConnectionError."""
        if self._transport is not None:
            self._transport.close()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the transport (asyncio's protocol callback)."""
        # A stream transport (uvloop's do not subclass asyncio.Transport, so no isinstance check).
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        """Answer waiting calls and hand on pub/sub messages (asyncio's protocol callback)."""
        self._reader.feed(data)
        while True:
            try:
                reply = self._reader.gets()
            except hiredis.ProtocolError:
                self.close()  # the stream is out of step: nothing after this can be read
                return
            if reply is False:
                return
            if isinstance(reply, hiredis.PushNotification) and (not reply or reply[0] not in _CONFIRMATIONS):
                self._pushed(reply)
            elif self._waiting:
                self._answer(reply, *self._waiting.popleft())

    def _pushed(self, push: list[object]) -> None:
        # Anything pushed but a channel's message (say, a client-tracking note) is none of the bus's.
        if self._on_message is None or len(push) < 3 or push[0] != "message":
            return
        try:
            self._on_message(cast(str, push[2]))
        except Exception:
            # One bad message must not close the connection under every other one.
            logger.exception("a Redis pub/sub message's handler failed")

    @staticmethod
    def _answer(reply: object, waiter: asyncio.Future[object], on_reply: OnReply | None) -> None:
        if isinstance(reply, ResponseError):
            if not waiter.done():
                waiter.set_exception(_error(reply))
            return
        if on_reply is not None:
            try:
                on_reply(reply)
            except Exception as exc:
                if not waiter.done():
                    waiter.set_exception(exc)
                return
        if not waiter.done():  # a caller that gave up (cancelled) has no use for it
            waiter.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        """Fail the calls still waiting and mark the connection closed (asyncio's protocol callback)."""
        while self._waiting:
            waiter, _ = self._waiting.popleft()
            if not waiter.done():
                waiter.set_exception(redis_errors.ConnectionError("the Redis connection was lost"))
        if not self._closed.done():
            self._closed.set_result(None)
