"""Sliding-window event counters: Redis when configured (shared by every process), else in memory."""

from __future__ import annotations

import time
import uuid
from collections import deque
from typing import Protocol

from redis.asyncio import Redis


class WindowCounter(Protocol):
    """Counts events per key over a trailing time window."""

    async def count(self, key: str, window_seconds: int) -> int:
        """Return how many events `key` had in the last `window_seconds`."""
        ...

    async def add(self, key: str, window_seconds: int) -> None:
        """Record one event for `key`."""
        ...

    async def oldest_age(self, key: str, window_seconds: int) -> float:
        """Return seconds since the oldest event still in the window (0 when none)."""
        ...

    async def clear(self, key: str) -> None:
        """Forget every event of `key`."""
        ...


class MemoryWindowCounter:
    """In-process counter for the embedded single-process shape."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._events: dict[str, deque[float]] = {}
        self._max_keys = max_keys

    def _live(self, key: str, window_seconds: int) -> deque[float]:
        events = self._events.get(key)
        if events is None:
            return deque()
        horizon = time.monotonic() - window_seconds
        while events and events[0] <= horizon:
            events.popleft()
        return events

    async def count(self, key: str, window_seconds: int) -> int:
        """Return how many events `key` had in the last `window_seconds`."""
        return len(self._live(key, window_seconds))

    async def add(self, key: str, window_seconds: int) -> None:
        """Record one event for `key`."""
        if key not in self._events and len(self._events) >= self._max_keys:
            # Bounded memory under a spray of distinct keys: drop the oldest-inserted key.
            self._events.pop(next(iter(self._events)))
        self._events.setdefault(key, deque()).append(time.monotonic())

    async def oldest_age(self, key: str, window_seconds: int) -> float:
        """Return seconds since the oldest event still in the window (0 when none)."""
        events = self._live(key, window_seconds)
        return time.monotonic() - events[0] if events else 0.0

    async def clear(self, key: str) -> None:
        """Forget every event of `key`."""
        self._events.pop(key, None)


class RedisWindowCounter:
    """Counter shared by every process through Redis sorted sets."""

    def __init__(self, redis: Redis, prefix: str = "greekdesk:rl:") -> None:
        self._redis = redis
        self._prefix = prefix

    async def count(self, key: str, window_seconds: int) -> int:
        """Return how many events `key` had in the last `window_seconds`."""
        name = self._prefix + key
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(name, "-inf", time.time() - window_seconds)
            pipe.zcard(name)
            _, total = await pipe.execute()
        return int(total)

    async def add(self, key: str, window_seconds: int) -> None:
        """Record one event for `key`."""
        name = self._prefix + key
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(name, {uuid.uuid4().hex: time.time()})
            pipe.expire(name, window_seconds)
            await pipe.execute()

    async def oldest_age(self, key: str, window_seconds: int) -> float:
        """Return seconds since the oldest event still in the window (0 when none)."""
        oldest = await self._redis.zrangebyscore(
            self._prefix + key, time.time() - window_seconds, "+inf", start=0, num=1, withscores=True
        )
        return time.time() - float(oldest[0][1]) if oldest else 0.0

    async def clear(self, key: str) -> None:
        """Forget every event of `key`."""
        await self._redis.delete(self._prefix + key)


def create_window_counter(redis: Redis | None) -> WindowCounter:
    """Pick the Redis counter when Redis is configured, else the in-memory one."""
    return RedisWindowCounter(redis) if redis is not None else MemoryWindowCounter()
