"""The retrier retries temporary broker errors only, with bounded jittered backoff."""

from __future__ import annotations

import random

import pytest

from backend.brokers.errors import BrokerDisconnected, BrokerPacing, BrokerTimeout, OrderRejected
from backend.brokers.retry import RetryPolicy, retry


class FakeTime:
    """A sleep that only records, and a monotonic clock it moves."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


def flaky(errors: list[Exception], result: str = "ok"):  # type: ignore[no-untyped-def]
    calls = {"n": 0}

    async def operation() -> str:
        calls["n"] += 1
        if errors:
            raise errors.pop(0)
        return result

    return operation, calls


async def test_temporary_errors_are_retried_until_success() -> None:
    time = FakeTime()
    operation, calls = flaky([BrokerDisconnected("down"), BrokerTimeout("slow")])
    result = await retry(
        operation, RetryPolicy(), sleep=time.sleep, monotonic=time.monotonic, rng=random.Random(1)
    )
    assert result == "ok"
    assert calls["n"] == 3
    assert len(time.sleeps) == 2


async def test_permanent_errors_are_not_retried() -> None:
    time = FakeTime()
    operation, calls = flaky([OrderRejected("no")])
    with pytest.raises(OrderRejected):
        await retry(operation, sleep=time.sleep, monotonic=time.monotonic)
    assert calls["n"] == 1
    assert time.sleeps == []


async def test_attempts_are_bounded_and_the_last_error_raised() -> None:
    time = FakeTime()
    operation, calls = flaky([BrokerDisconnected(str(i)) for i in range(10)])
    with pytest.raises(BrokerDisconnected, match="2"):
        await retry(operation, RetryPolicy(max_attempts=3), sleep=time.sleep, monotonic=time.monotonic)
    assert calls["n"] == 3


async def test_backoff_waits_stay_under_the_exponential_cap() -> None:
    time = FakeTime()
    policy = RetryPolicy(max_attempts=6, base_delay=1.0, max_delay=5.0, deadline=1000)
    operation, _ = flaky([BrokerTimeout("t") for _ in range(5)])
    await retry(operation, policy, sleep=time.sleep, monotonic=time.monotonic, rng=random.Random(7))
    caps = [1.0, 2.0, 4.0, 5.0, 5.0]
    assert all(0 <= wait <= cap for wait, cap in zip(time.sleeps, caps, strict=True))


async def test_the_deadline_stops_retrying_before_the_attempts_run_out() -> None:
    time = FakeTime()
    policy = RetryPolicy(max_attempts=100, base_delay=10, max_delay=10, deadline=25)
    operation, calls = flaky([BrokerPacing("slow down", retry_after=10) for _ in range(100)])
    with pytest.raises(BrokerPacing):
        await retry(operation, policy, sleep=time.sleep, monotonic=time.monotonic)
    assert calls["n"] == 3
    assert time.sleeps == [10, 10]


async def test_a_pacing_hint_lengthens_the_wait() -> None:
    time = FakeTime()
    operation, _ = flaky([BrokerPacing("slow down", retry_after=3.0)])
    await retry(operation, RetryPolicy(base_delay=0.1), sleep=time.sleep, monotonic=time.monotonic)
    assert time.sleeps == [3.0]
