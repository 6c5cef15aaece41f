"""The one retrier for broker calls.

It retries only ``TemporaryBrokerError`` (everything else propagates at once), waits with
exponential backoff and full jitter (a random wait between zero and the capped exponential, which
spreads many clients' retries after a shared outage), honours a pacing hint, and stops after a
number of attempts or a time budget, whichever comes first.

Do not wrap ``place_order`` in it: a timeout there is ambiguous (the order may be live), and the
order path reconciles instead of resubmitting.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from backend.brokers.errors import BrokerPacing, TemporaryBrokerError

T = TypeVar("T")

Sleep = Callable[[float], Awaitable[None]]
Monotonic = Callable[[], float]
OnRetry = Callable[[int, TemporaryBrokerError, float], None]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many times and how long to retry a temporary broker failure."""

    max_attempts: int = 5
    base_delay: float = 0.25
    max_delay: float = 8.0
    multiplier: float = 2.0
    deadline: float = 30.0
    """Seconds from the first attempt after which no new attempt starts."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0 or self.deadline < 0:
            raise ValueError("delays and deadline must not be negative")
        if self.multiplier < 1:
            raise ValueError("multiplier must be at least 1")

    def backoff_cap(self, retry_number: int) -> float:
        """Return the upper bound of the wait before retry ``retry_number`` (1-based)."""
        return min(self.max_delay, self.base_delay * self.multiplier ** (retry_number - 1))


async def retry(
    operation: Callable[[], Awaitable[T]],
    policy: RetryPolicy | None = None,
    *,
    sleep: Sleep = asyncio.sleep,
    monotonic: Monotonic = time.monotonic,
    rng: random.Random | None = None,
    on_retry: OnRetry | None = None,
) -> T:
    """Run ``operation``, retrying temporary broker errors with jittered exponential backoff."""
    policy = policy or RetryPolicy()
    rng = rng or random.Random()  # noqa: S311 - jitter, not security
    started = monotonic()
    attempt = 1
    while True:
        try:
            return await operation()
        except TemporaryBrokerError as error:
            if attempt >= policy.max_attempts:
                raise
            delay = rng.uniform(0.0, policy.backoff_cap(attempt))
            if isinstance(error, BrokerPacing) and error.retry_after is not None:
                delay = max(delay, error.retry_after)
            if monotonic() - started + delay > policy.deadline:
                raise
            if on_retry is not None:
                on_retry(attempt, error, delay)
            await sleep(delay)
            attempt += 1
