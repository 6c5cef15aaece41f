"""HTTP plumbing shared by the OAuth and API clients: status mapping, pacing and retry rules."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx

from backend.brokers.errors import (
    BrokerAuthFailed,
    BrokerDisconnected,
    BrokerError,
    BrokerPacing,
    BrokerTimeout,
    BrokerUnavailable,
    PermanentBrokerError,
    TemporaryBrokerError,
)
from backend.brokers.retry import RetryPolicy, Sleep, retry

T = TypeVar("T")


def retry_after(response: httpx.Response) -> float | None:
    """Return the ``Retry-After`` hint in seconds, if the response gives one in seconds."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date; our own backoff is good enough


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict):
        parts = [str(body[k]) for k in ("msg", "error", "error_description", "message") if body.get(k)]
        if parts:
            return ": ".join(parts)
    return response.reason_phrase


def status_error(response: httpx.Response, *, ambiguous: bool = False) -> BrokerError:
    """Return the broker error for a non-2xx response (401 is the caller's to handle first)."""
    status, text = response.status_code, f"POEMS HTTP {response.status_code}: {_message(response)}"
    if status == 429:
        return BrokerPacing(text, retry_after=retry_after(response))
    if status in (401, 403):
        return BrokerAuthFailed(text)
    if status == 408 or status == 504:
        return BrokerTimeout(text, ambiguous=ambiguous)
    if status >= 500:
        # A 5xx after the request reached the API may still have done its work.
        return BrokerUnavailable(text, ambiguous=ambiguous)
    return PermanentBrokerError(text)


def transport_error(error: httpx.HTTPError, what: str, *, ambiguous: bool) -> BrokerError:
    """Return the broker error for a request that got no response."""
    if isinstance(error, httpx.TimeoutException):
        # A connect timeout never reached the broker; any other timeout may have.
        sent = ambiguous and not isinstance(error, httpx.ConnectTimeout)
        return BrokerTimeout(f"POEMS did not answer {what} in time", ambiguous=sent)
    sent = ambiguous and not isinstance(error, httpx.ConnectError)
    return BrokerDisconnected(f"POEMS could not be reached for {what}: {error}", ambiguous=sent)


class RateLimiter:
    """A token bucket: ``rate`` requests a second on average, ``burst`` at once."""

    def __init__(
        self, rate: float, burst: int | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._rate = rate
        self._capacity = float(burst if burst is not None else max(1, int(rate)))
        self._tokens = self._capacity
        self._clock = clock
        self._stamp = clock()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Wait until a request may be sent."""
        async with self._lock:
            while True:
                now = self._clock()
                self._tokens = min(self._capacity, self._tokens + (now - self._stamp) * self._rate)
                self._stamp = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) / self._rate)


class _Final(Exception):
    """Carries an error past ``retry`` so it is raised without being retried."""

    def __init__(self, error: BrokerError) -> None:
        super().__init__(error.message)
        self.error = error


async def retry_refused_only(
    operation: Callable[[], Awaitable[T]], policy: RetryPolicy, sleep: Sleep = asyncio.sleep
) -> T:
    """Retry only failures the broker refused before acting (429, 503); for calls not safe to repeat."""

    async def attempt() -> T:
        try:
            return await operation()
        except TemporaryBrokerError as error:
            if isinstance(error, BrokerPacing) or (
                isinstance(error, BrokerUnavailable) and not error.ambiguous
            ):
                raise
            raise _Final(error) from error

    try:
        return await retry(attempt, policy, sleep=sleep)
    except _Final as final:
        raise final.error from final.error.__cause__
