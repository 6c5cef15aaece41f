"""The bus across processes: one Redis script numbers, buffers and publishes a batch of events atomically.

A publishing round (up to `MAX_BATCH` events, backend/realtime/bus.py) costs one script call, never
one per socket or per event. Each process listens on a channel of its own and registers, per client,
while it serves a reader of that client's events; the script sends each other process one message per
batch holding only the events of the clients it registered for, and answers the publishing process
with the seqs it gave, from which that process serves its own readers. So a process reads only its
own sockets' events, and adding API processes divides the stream's work instead of copying it.
A process publishes, subscribes and registers on one RESP3 connection, and numbering and publishing
happen in the same script, so every reader receives a client's events in seq order whichever process
sent them: another process's message and this process's reply arrive in the order Redis numbered
them. The script touches several clients' keys at once: a single Redis, not a Redis Cluster.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import math
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import cast

from redis.asyncio import Redis
from redis.exceptions import NoScriptError, RedisError

from backend.kit.resp import RespConnection
from backend.realtime.bus import REPLAY_CAPACITY, EventBus, MemoryBus, OutgoingEvent, Replay, with_seq
from backend.realtime.hub import Subscriber

logger = logging.getLogger("greekdesk.realtime")
CHANNEL_PREFIX = "greekdesk:stream:"
"""A process's channel is this and its process id: one message per batch another process published that
holds any of its clients' events, a line `<client id> <event>` per event (JSON has no raw newline)."""
KEY_PREFIX = "greekdesk:events:"
BUFFER_TTL_SECONDS = 24 * 3600
RESUBSCRIBE_DELAY = 1.0
CONNECTION_NAME = "greekdesk-events"
"""The bus's own connection as `CLIENT LIST` shows it (one per process)."""
CALL_SECONDS = 2.0
"""Seconds a script load, a batch's script call or a subscription may take (as the shared client's socket timeout)."""
HEALTH_CHECK_SECONDS = 30.0
"""A quiet subscription is PINGed this often: a connection the network dropped silently must not pass for a quiet channel."""
READER_TTL_SECONDS = 90
"""A process's registration as a client's reader lapses this long after its last renewal (three health checks): a dead process stops costing a publish."""
REGISTER_CHUNK = 500
"""Most clients one renewal call registers, so a process serving thousands never holds Redis long."""
_SEQ_PREFIX = '{"seq":'

# KEYS: per event, its client's seq counter, replay buffer and registered readers. ARGV: channel prefix,
# capacity, buffer ttl, the calling process's id, then per event its client id and its body without
# seq. Each event's line goes to every other process registered, unexpired, as a reader of its client;
# each such process gets one PUBLISH. The caller gets the events' seqs, in order.
_PUBLISH = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local capacity = tonumber(ARGV[2])
local caller = ARGV[4]
local seqs = {}
local readers_of = {}
local lines_of = {}
local processes = {}
for i = 1, #KEYS / 3 do
  local seq = redis.call('INCR', KEYS[3 * i - 2])
  seqs[i] = seq
  local text = '{"seq":' .. seq .. ',' .. string.sub(ARGV[4 + 2 * i], 2)
  redis.call('ZADD', KEYS[3 * i - 1], seq, text)
  redis.call('ZREMRANGEBYRANK', KEYS[3 * i - 1], 0, -(capacity + 1))
  redis.call('EXPIRE', KEYS[3 * i - 1], ARGV[3])
  local key = KEYS[3 * i]
  local readers = readers_of[key]
  if not readers then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%.0f', now))
    readers = redis.call('ZRANGE', key, 0, -1)
    readers_of[key] = readers
  end
  local line = ARGV[3 + 2 * i] .. ' ' .. text
  for _, process in ipairs(readers) do
    if process ~= caller then
      local lines = lines_of[process]
      if not lines then
        lines = {}
        lines_of[process] = lines
        processes[#processes + 1] = process
      end
      lines[#lines + 1] = line
    end
  end
end
for _, process in ipairs(processes) do
  redis.call('PUBLISH', ARGV[1] .. process, table.concat(lines_of[process], '\\n'))
end
return seqs
"""

# KEYS: clients' reader registries. ARGV: process id, time to live in ms. Scores are expiry times in
# ms on Redis's clock, as the publishing script reads them.
_REGISTER = """
local ttl = tonumber(ARGV[2])
local clock = redis.call('TIME')
local expiry = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000) + ttl
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], string.format('%.0f', expiry), ARGV[1])
  redis.call('PEXPIRE', KEYS[i], ttl)
end
return #KEYS
"""


def _seq_of(text: str) -> int:
    # The script writes `{"seq":N,` first: read N there rather than parse the whole event.
    if text.startswith(_SEQ_PREFIX):
        end = text.find(",", len(_SEQ_PREFIX))
        if end > 0:
            return int(text[len(_SEQ_PREFIX) : end])
    return int(json.loads(text)["seq"])


@functools.lru_cache(maxsize=65_536)
def _client_id(text: str) -> uuid.UUID:
    # The same few clients' ids arrive thousands of times a second: parse each once.
    return uuid.UUID(text)


def _seq_key(client_id: uuid.UUID) -> str:
    return f"{KEY_PREFIX}{client_id}:seq"


def _buffer_key(client_id: uuid.UUID) -> str:
    return f"{KEY_PREFIX}{client_id}:buffer"


def _readers_key(client_id: uuid.UUID) -> str:
    return f"{KEY_PREFIX}{client_id}:readers"


@functools.lru_cache(maxsize=65_536)
def _wire_names(client_id: uuid.UUID) -> tuple[str, str, str, str]:
    # A batch names each event's keys and client: format them once per client, not once per event.
    return _seq_key(client_id), _buffer_key(client_id), _readers_key(client_id), str(client_id)


class RedisBus(EventBus):
    """Counters and replay buffers in Redis; events reach the processes serving their readers through pub/sub."""

    def __init__(
        self,
        redis: Redis,
        url: str,
        *,
        replay_capacity: int = REPLAY_CAPACITY,
        queue_size: int | None = None,
        health_check_seconds: float = HEALTH_CHECK_SECONDS,
        reader_ttl_seconds: float = READER_TTL_SECONDS,
    ) -> None:
        super().__init__(replay_capacity=replay_capacity, queue_size=queue_size)
        self._redis = redis
        self._health_check_seconds = health_check_seconds
        # Renewed every health check, so it must outlive a few of them (in ms, as Redis keeps it).
        self._reader_ttl = math.ceil(1000 * max(reader_ttl_seconds, 3 * health_check_seconds))
        self._process_id = uuid.uuid4().hex
        self.channel = f"{CHANNEL_PREFIX}{self._process_id}"
        """This process's channel: only events of clients it reads arrive here."""
        # Publishing, registering and listening share one lean connection (backend/kit/resp.py): it
        # carries a call and a message per batch, where redis-py's paths cost more than the fan-out,
        # and on one connection this process's replies and other processes' messages keep Redis's order.
        self._url = url
        self._open: RespConnection | None = None
        self._opening = asyncio.Lock()
        self._shas: dict[str, str] = {}
        self._listening: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    async def _connection(self) -> RespConnection:
        open_ = self._open
        if open_ is not None and not open_.is_closed:
            return open_  # the hot path: no lock to take once it is open
        async with self._opening:
            if self._open is None or self._open.is_closed:
                # A new connection is not subscribed: the listener subscribes it again.
                self._subscribed.clear()
                self._open = await RespConnection.open(
                    self._url, name=CONNECTION_NAME, on_message=self._deliver, call_seconds=CALL_SECONDS
                )
                self._shas.clear()
            return self._open

    async def _evalsha(
        self,
        script: str,
        keys: Sequence[str],
        args: Sequence[str | int],
        on_reply: Callable[[object], None] | None = None,
    ) -> object:
        connection = await self._connection()
        sha = self._shas.get(script)
        if sha is None:
            sha = self._shas[script] = str(await connection.call("SCRIPT", "LOAD", script))
        try:
            return await connection.call("EVALSHA", sha, len(keys), *keys, *args, on_reply=on_reply)
        except NoScriptError:
            # Redis restarted or flushed its scripts: nothing of this call ran (it all needs the script).
            sha = self._shas[script] = str(await connection.call("SCRIPT", "LOAD", script))
            return await connection.call("EVALSHA", sha, len(keys), *keys, *args, on_reply=on_reply)

    async def _publish(self, batch: list[OutgoingEvent]) -> None:
        keys: list[str] = []
        args: list[str | int] = [CHANNEL_PREFIX, self._replay_capacity, BUFFER_TTL_SECONDS, self._process_id]
        bodies: list[str] = []
        for event in batch:
            seq_key, buffer_key, readers_key, client = _wire_names(event.client_id)
            body = event.body()
            keys += (seq_key, buffer_key, readers_key)
            args += (client, body)
            bodies.append(body)

        def deliver_here(seqs: object) -> None:
            # Read in Redis's order with the messages about it: a reader never sees a later seq first.
            for event, seq, body in zip(batch, cast(list[int], seqs), bodies, strict=True):
                self.hub.deliver(event.client_id, seq, with_seq(seq, body))

        await self._evalsha(_PUBLISH, keys, args, on_reply=deliver_here)

    async def subscribe(self, client_id: uuid.UUID) -> Subscriber:
        """Register a local reader, once this process listens and is registered for the client."""
        if self._listening is None or self._listening.done():
            self._listening = asyncio.get_running_loop().create_task(
                self._listen(), name="event-bus-listener"
            )
        await asyncio.wait_for(self._subscribed.wait(), 5.0)
        # From here on the script sends this process the client's events; what it numbered before,
        # the stream reads from the replay buffer. Registering again for a known client only renews.
        await self._register((client_id,))
        return self.hub.add(client_id)

    async def _register(self, client_ids: Iterable[uuid.UUID]) -> None:
        keys = [_readers_key(client_id) for client_id in client_ids]
        for start in range(0, len(keys), REGISTER_CHUNK):
            await self._evalsha(
                _REGISTER, keys[start : start + REGISTER_CHUNK], [self._process_id, self._reader_ttl]
            )

    async def _listen(self) -> None:
        while True:
            try:
                await self._listen_once()
                logger.warning("the event bus's connection closed; resubscribing")
            except (RedisError, OSError):
                logger.warning("lost the event subscription; resubscribing", exc_info=True)
            # Readers see the gap in seq and replay what they missed once we are back.
            self._subscribed.clear()
            await asyncio.sleep(RESUBSCRIBE_DELAY)

    async def _listen_once(self) -> None:
        connection = await self._connection()
        await connection.call("SUBSCRIBE", self.channel)
        # Registrations may have lapsed while we were away: renew them for the readers we kept.
        await self._register(self.hub.clients())
        self._subscribed.set()
        while True:
            try:
                async with asyncio.timeout(self._health_check_seconds):
                    await connection.wait_closed()
                    return
            except TimeoutError:
                # No answer within CALL_SECONDS closes the connection and raises: we resubscribe.
                await connection.call("PING")
                await self._register(self.hub.clients())

    def _deliver(self, batch: str) -> None:
        for line in batch.split("\n"):
            client, _, text = line.partition(" ")
            try:
                client_id = _client_id(client)
                seq = _seq_of(text)
            except (ValueError, KeyError, TypeError):
                logger.warning("ignored a malformed event", extra={"client": client[:64]})
                continue
            self.hub.deliver(client_id, seq, text)

    async def current_seq(self, client_id: uuid.UUID) -> int:
        """Return the last seq issued for the client (0 before its first event)."""
        value = await self._redis.get(_seq_key(client_id))
        return int(value) if value else 0

    async def replay(self, client_id: uuid.UUID, after: int) -> Replay:
        """Return the buffered events after `after`, oldest first."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.get(_seq_key(client_id))
            pipe.zrange(_buffer_key(client_id), 0, 0, withscores=True)
            pipe.zrangebyscore(_buffer_key(client_id), f"({after}", "+inf")
            current, oldest, events = await pipe.execute()
        return Replay(
            events=list(events),
            current_seq=int(current) if current else 0,
            oldest_seq=int(oldest[0][1]) if oldest else None,
        )

    async def close(self) -> None:
        """Publish what is queued, then stop listening and close the bus's connection."""
        await super().close()
        if self._listening is not None:
            self._listening.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listening
            self._listening = None
        if self._open is not None:
            self._open.close()
            self._open = None


def create_bus(
    redis_url: str | None, redis: Redis | None, *, replay_capacity: int, queue_size: int
) -> EventBus:
    """Build the Redis bus when Redis is configured, the in-process one otherwise."""
    if redis_url is None or redis is None:
        return MemoryBus(replay_capacity=replay_capacity, queue_size=queue_size)
    return RedisBus(redis, redis_url, replay_capacity=replay_capacity, queue_size=queue_size)
