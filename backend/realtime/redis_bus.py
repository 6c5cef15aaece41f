"""The bus across processes: one Redis script numbers, buffers and publishes a batch of events atomically.

A publishing round (up to `MAX_BATCH` events, backend/realtime/bus.py) costs one script call and one
PUBLISH of all its events, never one per socket or per event. Each process holds one subscription
and hands what arrives to its own readers. Because numbering and publishing happen in the same
script, every subscriber receives a client's events in seq order, whichever process sent them.
The script touches several clients' keys at once: a single Redis, not a Redis Cluster.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import uuid

from redis.asyncio import Redis
from redis.exceptions import NoScriptError, RedisError

from backend.kit.resp import RespConnection
from backend.realtime.bus import REPLAY_CAPACITY, EventBus, MemoryBus, OutgoingEvent, Replay
from backend.realtime.hub import Subscriber

logger = logging.getLogger("greekdesk.realtime")
CHANNEL = "greekdesk:stream"
"""One message per published batch: a line `<client id> <event>` per event (JSON has no raw newline)."""
KEY_PREFIX = "greekdesk:events:"
BUFFER_TTL_SECONDS = 24 * 3600
RESUBSCRIBE_DELAY = 1.0
CALL_SECONDS = 2.0
"""Seconds a script load, a batch's script call or a subscription may take (as the shared client's socket timeout)."""
HEALTH_CHECK_SECONDS = 30.0
"""A quiet subscription is PINGed this often: a connection the network dropped silently must not pass for a quiet channel."""
_SEQ_PREFIX = '{"seq":'

# KEYS: per event, its client's seq counter and replay buffer. ARGV: channel, capacity, buffer ttl,
# then per event its client id and its body without seq.
_PUBLISH = """
local capacity = tonumber(ARGV[2])
local lines = {}
for i = 1, #KEYS / 2 do
  local seq = redis.call('INCR', KEYS[2 * i - 1])
  local text = '{"seq":' .. seq .. ',' .. string.sub(ARGV[3 + 2 * i], 2)
  redis.call('ZADD', KEYS[2 * i], seq, text)
  redis.call('ZREMRANGEBYRANK', KEYS[2 * i], 0, -(capacity + 1))
  redis.call('EXPIRE', KEYS[2 * i], ARGV[3])
  lines[i] = ARGV[2 + 2 * i] .. ' ' .. text
end
redis.call('PUBLISH', ARGV[1], table.concat(lines, '\\n'))
return #lines
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


async def _load_script(connection: RespConnection) -> str:
    return str(await connection.call("SCRIPT", "LOAD", _PUBLISH))


@functools.lru_cache(maxsize=65_536)
def _wire_names(client_id: uuid.UUID) -> tuple[str, str, str]:
    # A batch names each event's keys and client: format them once per client, not once per event.
    return _seq_key(client_id), _buffer_key(client_id), str(client_id)


class RedisBus(EventBus):
    """Counters and replay buffers in Redis; events reach every process through pub/sub."""

    def __init__(
        self,
        redis: Redis,
        url: str,
        *,
        replay_capacity: int = REPLAY_CAPACITY,
        queue_size: int | None = None,
        health_check_seconds: float = HEALTH_CHECK_SECONDS,
    ) -> None:
        super().__init__(replay_capacity=replay_capacity, queue_size=queue_size)
        self._redis = redis
        self._health_check_seconds = health_check_seconds
        # Publishing and listening take lean connections of their own (backend/kit/resp.py): they
        # carry a call and a message per batch, where redis-py's paths cost more than the fan-out.
        self._url = url
        self._publisher: RespConnection | None = None
        self._sha: str | None = None
        self._listening: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    async def _publish(self, batch: list[OutgoingEvent]) -> None:
        if self._publisher is None or self._publisher.is_closed:
            self._publisher = await RespConnection.open(
                self._url, name="greekdesk-events-publisher", call_seconds=CALL_SECONDS
            )
            self._sha = None
        publisher = self._publisher
        if self._sha is None:
            self._sha = await _load_script(publisher)
        try:
            await self._send(publisher, batch, self._sha)
        except NoScriptError:
            # Redis restarted or flushed its scripts: no event of the batch ran (each needs the script).
            self._sha = await _load_script(publisher)
            await self._send(publisher, batch, self._sha)

    async def _send(self, publisher: RespConnection, batch: list[OutgoingEvent], sha: str) -> None:
        keys: list[str] = []
        events: list[str] = []
        for event in batch:
            seq_key, buffer_key, client = _wire_names(event.client_id)
            keys += (seq_key, buffer_key)
            events += (client, event.body())
        await publisher.call(
            "EVALSHA",
            sha,
            len(keys),
            *keys,
            CHANNEL,
            self._replay_capacity,
            BUFFER_TTL_SECONDS,
            *events,
        )

    async def subscribe(self, client_id: uuid.UUID) -> Subscriber:
        """Register a local reader, once this process listens to the channel."""
        if self._listening is None or self._listening.done():
            self._listening = asyncio.get_running_loop().create_task(
                self._listen(), name="event-bus-listener"
            )
        await asyncio.wait_for(self._subscribed.wait(), 5.0)
        return self.hub.add(client_id)

    async def _listen(self) -> None:
        while True:
            try:
                await self._listen_once()
                logger.warning("the event subscription's connection closed; resubscribing")
            except (RedisError, OSError):
                logger.warning("lost the event subscription; resubscribing", exc_info=True)
            # Readers see the gap in seq and replay what they missed once we are back.
            self._subscribed.clear()
            await asyncio.sleep(RESUBSCRIBE_DELAY)

    async def _listen_once(self) -> None:
        connection = await RespConnection.open(
            self._url, name="greekdesk-events-listener", on_message=self._deliver, call_seconds=CALL_SECONDS
        )
        try:
            await connection.call("SUBSCRIBE", CHANNEL)
            self._subscribed.set()
            while True:
                try:
                    async with asyncio.timeout(self._health_check_seconds):
                        await connection.wait_closed()
                        return
                except TimeoutError:
                    # No answer within CALL_SECONDS closes the connection and raises: we resubscribe.
                    await connection.call("PING")
        finally:
            connection.close()

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
        """Publish what is queued, then close the publishing and listening connections."""
        await super().close()
        if self._publisher is not None:
            self._publisher.close()
            self._publisher = None
        if self._listening is not None:
            self._listening.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listening
            self._listening = None


def create_bus(
    redis_url: str | None, redis: Redis | None, *, replay_capacity: int, queue_size: int
) -> EventBus:
    """Build the Redis bus when Redis is configured, the in-process one otherwise."""
    if redis_url is None or redis is None:
        return MemoryBus(replay_capacity=replay_capacity, queue_size=queue_size)
    return RedisBus(redis, redis_url, replay_capacity=replay_capacity, queue_size=queue_size)
