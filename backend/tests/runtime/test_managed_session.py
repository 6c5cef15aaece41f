"""A broker session connects, reconnects after a drop, and stops on a permanent failure."""

from __future__ import annotations

import asyncio
import uuid

from backend.brokers.base import ConnectionState
from backend.brokers.errors import BrokerAuthFailed, BrokerUnavailable
from backend.brokers.retry import RetryPolicy
from backend.runtime.broker_sessions import BrokerSessionRegistry, ManagedSession
from backend.tests.brokers.factories import create_broker

FAST = RetryPolicy(max_attempts=1_000, base_delay=0.0, max_delay=0.0, deadline=float("inf"))


async def _session(**failures: object) -> ManagedSession:
    broker = await create_broker(connect=False)
    return ManagedSession(uuid.uuid4(), "simulator", broker, connect_timeout=2.0, backoff=FAST)


async def test_session_connects_in_the_background() -> None:
    session = await _session()
    session.start()
    assert await session.wait_connected(2.0)
    assert session.status().state == "connected"
    assert session.status().connected_at is not None
    await session.close()


async def test_temporary_failures_are_retried_until_connected() -> None:
    session = await _session()
    session.broker.inject_failure(BrokerUnavailable("gateway restarting"), times=3)  # type: ignore[attr-defined]
    session.start()
    assert await session.wait_connected(2.0)
    assert session.last_error is None
    await session.close()


async def test_a_dropped_session_reconnects_by_itself() -> None:
    session = await _session()
    session.start()
    assert await session.wait_connected(2.0)
    session.broker.simulate_disconnect("network blip")  # type: ignore[attr-defined]
    for _ in range(100):
        if session.reconnects == 1 and session.broker.state is ConnectionState.CONNECTED:
            break
        await asyncio.sleep(0.01)
    assert session.reconnects == 1
    assert session.state == "connected"
    await session.close()


async def test_refused_credentials_stop_in_failed_with_the_reason() -> None:
    session = await _session()
    session.broker.inject_failure(BrokerAuthFailed("bad password"))  # type: ignore[attr-defined]
    session.start()
    assert not await session.wait_connected(0.5)
    assert session.state == "failed"
    assert session.last_error is not None
    assert "bad password" in session.last_error
    await session.close()


async def test_registry_counts_sessions_by_state() -> None:
    registry = BrokerSessionRegistry()
    good, bad = await _session(), await _session()
    bad.broker.inject_failure(BrokerAuthFailed("no"))  # type: ignore[attr-defined]
    for session in (good, bad):
        registry.put(session)
        session.start()
    await good.wait_connected(2.0)
    await bad.wait_connected(0.2)
    assert registry.health().by_state == {"connected": 1, "failed": 1}
    await registry.close_all()
    assert registry.health().total == 0
