"""A token bucket for outbound requests: IB disconnects clients above 50 messages a second."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]


class TokenBucket:
    """Allow ``burst`` requests at once, then ``rate`` a second; ``acquire`` waits its turn."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self._monotonic = monotonic
        self._sleep = sleep
        self._tokens = float(burst)
        self._stamp = monotonic()
        self._lock = asyncio.Lock()
        self.waited = 0.0
        """Total seconds callers were held back (for tests and metrics)."""

    def _refill(self) -> None:
        now = self._monotonic()
        self._tokens = min(float(self.burst), self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    async def acquire(self) -> None:
        """Wait until a token is free and take it; callers are served in arrival order."""
        async with self._lock:
            self._refill()
            if self._tokens < 1:
                wait = (1 - self._tokens) / self.rate
                self.waited += wait
                await self._sleep(wait)
                self._refill()
            self._tokens -= 1
