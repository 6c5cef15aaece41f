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
from redis.asyncio.client import PubSub
from redis.exceptions import NoScriptError, RedisError

from backend.realtime.bus import REPLAY_CAPACITY, EventBus, MemoryBus, OutgoingEvent, Replay
from backend.realtime.hub import Subscriber

logger = logging.getLogger("greekdesk.realtime")
CHANNEL = "greekdesk:stream"
"""One message per published batch: a line `<client id> <event>` per event (JSON has no raw newline)."""
KEY_PREFIX = "greekdesk:events:"
BUFFER_TTL_SECONDS = 24 * 3600
RESUBSCRIBE_DELAY = 1.0
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


class RedisBus(EventBus):
    """Counters and replay buffers in Redis; events reach every process through pub/sub."""

    def __init__(
        self,
        redis: Redis,
        listener: Redis,
        *,
        replay_capacity: int = REPLAY_CAPACITY,
        queue_size: int | None = None,
    ) -> None:
        super().__init__(replay_capacity=replay_capacity, queue_size=queue_size)
        self._redis = redis
        # Its own connection without a read timeout: a quiet channel is not an error.
        self._listener_redis = listener
        self._sha: str | None = None
        self._listening: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    async def _publish(self, batch: list[OutgoingEvent]) -> None:
        if self._sha is None:
            self._sha = await self._redis.script_load(_PUBLISH)
        try:
            await self._send(batch, self._sha)
        except NoScriptError:
            # Redis restarted or flushed its scripts: no event of the batch ran (each needs the script).
            self._sha = await self._redis.script_load(_PUBLISH)
            await self._send(batch, self._sha)

    async def _send(self, batch: list[OutgoingEvent], sha: str) -> None:
        # EVALSHA straight away: redis-py's Script helper would first ask the server whether the
        # script exists, a round trip per batch.
        keys: list[str] = []
        events: list[str] = []
        for event in batch:
            keys += (_seq_key(event.client_id), _buffer_key(event.client_id))
            events += (str(event.client_id), event.body())
        await self._redis.evalsha(
            sha, len(keys), *keys, CHANNEL, self._replay_capacity, BUFFER_TTL_SECONDS, *events
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
            pubsub: PubSub = self._listener_redis.pubsub()
            try:
                await pubsub.subscribe(CHANNEL)
                self._subscribed.set()
                async for message in pubsub.listen():
                    if message["type"] == "message":
                        self._deliver(message["data"])
            except (RedisError, OSError):
                # Readers see the gap in seq and replay what they missed once we are back.
                self._subscribed.clear()
                logger.warning("lost the event subscription; resubscribing", exc_info=True)
                await asyncio.sleep(RESUBSCRIBE_DELAY)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

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
        """Publish what is queued, stop listening and close the listening connection."""
        await super().close()
        if self._listening is not None:
            self._listening.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listening
            self._listening = None
        await self._listener_redis.aclose()


def create_bus(
    redis_url: str | None, redis: Redis | None, *, replay_capacity: int, queue_size: int
) -> EventBus:
    """Build the Redis bus when Redis is configured, the in-process one otherwise."""
    if redis_url is None or redis is None:
        return MemoryBus(replay_capacity=replay_capacity, queue_size=queue_size)
    # RESP2 for the subscription: under RESP3, redis-py builds a debug log line from every pub/sub
    # message (and looks up its logger) whether or not debug logging is on.
    listener = Redis.from_url(
        redis_url, decode_responses=True, socket_connect_timeout=2, socket_timeout=None, protocol=2
    )
    return RedisBus(redis, listener, replay_capacity=replay_capacity, queue_size=queue_size)
