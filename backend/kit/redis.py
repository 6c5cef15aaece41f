"""The optional Redis connection (unset REDIS_URL means in-process everything)."""

from __future__ import annotations

from redis.asyncio import Redis


def create_redis(url: str | None) -> Redis | None:
    """Create a Redis client for `url`, or None when Redis is not configured."""
    if not url:
        return None
    return Redis.from_url(url, decode_responses=True, socket_connect_timeout=2, socket_timeout=2)
