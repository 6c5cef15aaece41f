"""P&L over time: the agent's tick records the broker's account values once per interval; clients read their own."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from backend.brokers.errors import BrokerUnavailable
from backend.brokers.simulator.clock import SimulatedClock
from backend.kit.container import Container
from backend.kit.db import TenantScope, scoped_session
from backend.models import PnlSnapshot
from backend.pnl.recorder import PnlRecorder
from backend.tests.conftest import AppFactory, api_client, bearer, create_client_user, login

START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
INTERVAL = timedelta(seconds=300)


async def create_snapshot(
    container: Container, client_id: uuid.UUID, at: datetime, net_liquidation: str
) -> None:
    """Write one point of the client's history in its own scope."""
    async with scoped_session(container.sessions, TenantScope.for_client(client_id)) as db:
        db.add(
            PnlSnapshot(
                client_id=client_id,
                at=at,
                net_liquidation=Decimal(net_liquidation),
                realized=Decimal("1.5"),
                unrealized=Decimal("-2.25"),
                currency="USD",
            )
        )


async def _history(
    api: httpx.AsyncClient, client_id: uuid.UUID, token: str, query: str = ""
) -> httpx.Response:
    return await api.get(f"/clients/{client_id}/pnl-history{query}", headers=bearer(token))


@pytest.fixture
async def desk(app_factory: AppFactory):  # type: ignore[no-untyped-def]
    """An app on a simulated clock with one client whose simulator session is connected and reconciled."""
    clock = SimulatedClock(START)
    app = app_factory(clock=clock, pnl_snapshot_seconds=INTERVAL.total_seconds())
    container: Container = app.state.container
    user = await create_client_user(container)
    await container.brokers.session_for(user.client_id)
    assert await container.agent.wait_ready(user.client_id, 5)
    async with api_client(app) as api:
        token = (await login(api, user.email))["access_token"]
        yield clock, container, api, user.client_id, token


async def test_ticks_record_one_point_per_interval_with_the_brokers_values(desk) -> None:  # type: ignore[no-untyped-def]
    clock, container, api, client_id, token = desk
    await container.agent.run_once(client_id)
    await container.agent.run_once(client_id)
    clock.advance(INTERVAL - timedelta(seconds=1))
    await container.agent.run_once(client_id)
    points = (await _history(api, client_id, token)).json()["points"]
    assert [p["at"] for p in points] == ["2026-12-01T15:00:00Z"]
    summary = await container.brokers.registry.get(client_id).broker.account_summary()
    assert Decimal(points[0]["net_liquidation"]) == summary.net_liquidation.amount
    assert Decimal(points[0]["realized"]) == summary.realized_pnl.amount
    assert points[0]["currency"] == summary.net_liquidation.currency
    clock.advance(timedelta(seconds=1))
    await container.agent.run_once(client_id)
    await container.agent.run_once(client_id)
    points = (await _history(api, client_id, token)).json()["points"]
    assert [p["at"] for p in points] == ["2026-12-01T15:00:00Z", "2026-12-01T15:05:00Z"]


async def test_each_recorded_point_is_streamed_to_the_client_with_its_values(desk) -> None:  # type: ignore[no-untyped-def]
    clock, container, api, client_id, token = desk

    async def pnl_events() -> list[dict[str, str]]:
        await container.events.flush()
        page = (await api.get(f"/clients/{client_id}/events?after=0", headers=bearer(token))).json()
        return [e["data"] for e in page["events"] if e["type"] == "pnl.updated"]

    await container.agent.run_once(client_id)
    await container.agent.run_once(client_id)  # within the interval: no point, so no event
    (point,) = (await _history(api, client_id, token)).json()["points"]
    (event,) = await pnl_events()
    assert (event["at"], event["currency"]) == (point["at"], point["currency"])
    for amount in ("net_liquidation", "realized", "unrealized"):
        assert Decimal(event[amount]) == Decimal(point[amount]), amount
    clock.advance(INTERVAL)
    await container.agent.run_once(client_id)
    assert [e["at"] for e in await pnl_events()] == ["2026-12-01T15:00:00Z", "2026-12-01T15:05:00Z"]


async def test_a_restarted_process_does_not_record_again_before_the_interval(desk) -> None:  # type: ignore[no-untyped-def]
    clock, container, api, client_id, token = desk
    await container.agent.run_once(client_id)
    broker = container.brokers.registry.get(client_id).broker
    # A new recorder knows nothing in memory: it must find the last point in the database.
    restarted = PnlRecorder(container.sessions, INTERVAL, clock.now)
    assert await restarted.record_if_due(client_id, broker) is None
    clock.advance(INTERVAL)
    written = await restarted.record_if_due(client_id, broker)
    assert written is not None
    assert written.at == START + INTERVAL
    assert len((await _history(api, client_id, token)).json()["points"]) == 2


async def test_a_failed_snapshot_is_logged_and_the_tick_goes_on(  # type: ignore[no-untyped-def]
    desk, caplog: pytest.LogCaptureFixture
) -> None:
    _, container, api, client_id, token = desk
    broker = container.brokers.registry.get(client_id).broker
    broker.inject_failure(BrokerUnavailable("gateway restarting"))
    with caplog.at_level(logging.ERROR, logger="greekdesk.pnl"):
        report = await container.agent.run_once(client_id)
    assert report.state == "running"
    assert "P&L snapshot failed" in caplog.text
    assert (await _history(api, client_id, token)).json()["points"] == []
    # Nothing was written, so the next tick records without waiting for the interval.
    await container.agent.run_once(client_id)
    assert len((await _history(api, client_id, token)).json()["points"]) == 1


async def test_history_is_oldest_first_bounded_and_the_clients_own(
    api: httpx.AsyncClient, container: Container
) -> None:
    alice, bob = await create_client_user(container), await create_client_user(container)
    for minutes, value in ((10, "100010"), (0, "100000"), (20, "99990.125"), (5, "100005")):
        await create_snapshot(container, alice.client_id, START + timedelta(minutes=minutes), value)
    await create_snapshot(container, bob.client_id, START + timedelta(minutes=1), "5")
    token = (await login(api, alice.email))["access_token"]

    points = (await _history(api, alice.client_id, token)).json()["points"]
    assert [p["net_liquidation"] for p in points] == [
        "100000.000000",
        "100005.000000",
        "100010.000000",
        "99990.125000",
    ]
    assert Decimal(points[0]["unrealized"]) == Decimal("-2.25")
    since = (await _history(api, alice.client_id, token, "?since=2026-12-01T10:05:00-05:00")).json()["points"]
    assert [p["at"] for p in since] == [
        "2026-12-01T15:05:00Z",
        "2026-12-01T15:10:00Z",
        "2026-12-01T15:20:00Z",
    ]
    newest = (await _history(api, alice.client_id, token, "?limit=2")).json()["points"]
    assert [p["at"] for p in newest] == ["2026-12-01T15:10:00Z", "2026-12-01T15:20:00Z"]

    refused = await _history(api, bob.client_id, token)
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "client_not_found"


@pytest.mark.parametrize(
    "query", ["?since=2026-12-01T15:00:00", "?since=yesterday", "?limit=0", "?limit=5001"]
)
async def test_bad_history_queries_are_422(api: httpx.AsyncClient, container: Container, query: str) -> None:
    user = await create_client_user(container)
    token = (await login(api, user.email))["access_token"]
    response = await _history(api, user.client_id, token, query)
    assert response.status_code == 422
    assert response.json()["error"]["code"]
