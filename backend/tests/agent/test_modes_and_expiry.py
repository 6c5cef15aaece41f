"""The agent's modes on the simulator with a simulated clock: who approves, when proposals lapse, what status says."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from backend.brokers.simulator.clock import SimulatedClock
from backend.kit.container import Container
from backend.tests.conftest import (
    AppFactory,
    ClientUser,
    api_client,
    bearer,
    create_client_user,
    create_operator_user,
    login,
)

START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # a Tuesday, 10:00 in New York


class Desk:
    """An app on a simulated clock, one client logged in, and shortcuts to drive its agent."""

    def __init__(
        self, app: FastAPI, clock: SimulatedClock, api: httpx.AsyncClient, user: ClientUser, token: str
    ) -> None:
        self.app, self.clock, self.api, self.user = app, clock, api, user
        self.headers = bearer(token)
        self.base = f"/clients/{user.client_id}"

    @property
    def container(self) -> Container:
        container: Container = self.app.state.container
        return container

    async def advance(self, delta: timedelta) -> None:
        market = await self.container.brokers.market_host.market()
        market.advance(delta)

    async def tick(self, *, scan: bool = False) -> dict[str, object]:
        report = await self.container.agent.run_once(self.user.client_id, force_scan=scan)
        return vars(report)

    async def trades(self, status: str | None = None) -> list[dict[str, object]]:
        query = f"?status={status}&limit=100" if status else "?limit=100"
        body = (await self.api.get(f"{self.base}/trades{query}", headers=self.headers)).json()
        items: list[dict[str, object]] = body["items"]
        return items


@pytest.fixture
async def desk_factory(app_factory: AppFactory):  # type: ignore[no-untyped-def]
    clients: list[httpx.AsyncClient] = []

    async def build(
        mode: str, *, autonomous_enabled: bool = False, profile: str = "moderate", **settings: object
    ) -> Desk:
        clock = SimulatedClock(START)
        # Its own seed: a market another test saved (at another simulated time) is never restored here.
        seed = secrets.randbelow(2**31)
        app = app_factory(clock=clock, autonomous_enabled=autonomous_enabled, simulator_seed=seed, **settings)
        api = api_client(app)
        clients.append(api)
        container: Container = app.state.container
        user = await create_client_user(container)
        token = (await login(api, user.email))["access_token"]
        desk = Desk(app, clock, api, user, token)
        saved = await api.post(
            f"{desk.base}/agent/parameters", headers=desk.headers, json={"risk_profile": profile}
        )
        assert saved.status_code == 200, saved.text
        assert (
            await api.post(f"{desk.base}/agent/mode", headers=desk.headers, json={"mode": mode})
        ).status_code == 200
        await container.brokers.session_for(user.client_id)
        assert await container.agent.wait_ready(user.client_id, 5)
        return desk

    yield build
    for client in clients:
        await client.aclose()


async def test_approval_mode_proposes_and_waits_for_a_person(desk_factory) -> None:  # type: ignore[no-untyped-def]
    desk = await desk_factory("approval")
    report = await desk.tick(scan=True)
    assert report["proposed"], report
    assert report["approved"] == []
    pending = await desk.trades("pending_approval")
    assert {t["id"] for t in pending} == set(report["proposed"])
    for trade in pending:
        expires = datetime.fromisoformat(str(trade["expires_at"]))
        assert expires == START + timedelta(seconds=900), "the moderate profile's 15 minutes"


async def test_manual_suggestions_stand_until_the_close(desk_factory) -> None:  # type: ignore[no-untyped-def]
    desk = await desk_factory("manual")
    report = await desk.tick(scan=True)
    assert report["proposed"]
    assert report["approved"] == []
    for trade in await desk.trades("pending_approval"):
        assert datetime.fromisoformat(str(trade["expires_at"])) == datetime(2026, 12, 1, 21, 0, tzinfo=UTC)


async def test_autonomous_waits_for_a_person_while_the_platform_forbids_it(desk_factory) -> None:  # type: ignore[no-untyped-def]
    desk = await desk_factory("autonomous", autonomous_enabled=False)
    report = await desk.tick(scan=True)
    assert report["proposed"]
    assert report["approved"] == []
    assert all(t["decided_by"] is None for t in await desk.trades("pending_approval"))
    status = (await desk.api.get(f"{desk.base}/agent/status", headers=desk.headers)).json()
    assert (status["mode"], status["effective_mode"]) == ("autonomous", "approval")
    assert "AUTONOMOUS_ENABLED=false" in status["effective_reasons"][0]


async def test_autonomous_approves_its_own_proposals_when_allowed(desk_factory) -> None:  # type: ignore[no-untyped-def]
    desk = await desk_factory("autonomous", autonomous_enabled=True)
    report = await desk.tick(scan=True)
    assert report["proposed"]
    assert sorted(report["approved"]) == sorted(report["proposed"])
    for trade_id in report["approved"]:
        trade = (await desk.api.get(f"{desk.base}/trades/{trade_id}", headers=desk.headers)).json()
        assert trade["decided_by"] == "agent:greekdesk-agent"
        assert trade["status"] in {"submitted", "partially_filled", "filled"}, trade
        assert trade["orders"], "approved means written and sent through the order path"


async def test_switching_to_autonomous_approves_what_waits_on_the_next_tick(desk_factory) -> None:  # type: ignore[no-untyped-def]
    desk = await desk_factory("approval", autonomous_enabled=True)
    proposed = (await desk.tick(scan=True))["proposed"]
    assert proposed
    rejected, *waiting = proposed
    assert waiting, "the scan proposes on more than one underlying"
    assert (
        await desk.api.post(f"{desk.base}/agent/reject/{rejected}", headers=desk.headers)
    ).status_code == 200
    switch = {"mode": "autonomous"}
    assert (
        await desk.api.post(f"{desk.base}/agent/mode", headers=desk.headers, json=switch)
    ).status_code == 200
    report = await desk.tick()
    assert sorted(report["approved"]) == sorted(waiting), (
        "what waited from earlier ticks, not what a person decided"
    )
    assert (await desk.tick())["approved"] == []


async def test_autonomous_stops_approving_when_the_client_is_reducing(desk_factory) -> None:  # type: ignore[no-untyped-def]
    desk = await desk_factory("autonomous", autonomous_enabled=True)
    email, password = await create_operator_user(desk.container)
    operator = bearer((await login(desk.api, email, password))["access_token"])
    restrict = {
        "scope": "client",
        "client_id": str(desk.user.client_id),
        "state": "REDUCING",
        "reason": "risk review",
    }
    assert (await desk.api.post("/admin/trading-halt", json=restrict, headers=operator)).status_code == 200
    report = await desk.tick(scan=True)
    assert report["scanned"] is False, "no new opening trades are looked for while reducing"
    assert report["approved"] == []
    status = (await desk.api.get(f"{desk.base}/agent/status", headers=desk.headers)).json()
    assert status["effective_mode"] == "approval"
    assert "REDUCING" in status["effective_reasons"][0]


async def test_proposals_expire_and_cannot_be_approved_after(desk_factory) -> None:  # type: ignore[no-untyped-def]
    desk = await desk_factory("approval")
    report = await desk.tick(scan=True)
    first = report["proposed"][0]
    await desk.advance(timedelta(minutes=16))
    after = await desk.tick()
    assert after["expired"] == len(report["proposed"])
    late = await desk.api.post(f"{desk.base}/agent/approve/{first}", headers=desk.headers)
    assert late.status_code == 409
    assert late.json()["error"]["details"]["status"] == "expired"
    audit = (await desk.api.get(f"{desk.base}/audit?limit=200", headers=desk.headers)).json()["items"]
    assert sum(r["action"] == "trade.expired" for r in audit) == after["expired"]


async def test_a_paused_agent_decides_nothing(desk_factory) -> None:  # type: ignore[no-untyped-def]
    desk = await desk_factory("approval")
    paused = await desk.api.post(
        f"{desk.base}/agent/pause", headers=desk.headers, json={"reason": "earnings"}
    )
    assert paused.json()["state"] in {"paused", "stopped"}
    assert (await desk.tick(scan=True))["state"] == "paused"
    assert await desk.trades("pending_approval") == []
    await desk.api.post(f"{desk.base}/agent/resume", headers=desk.headers)
    resumed = await desk.tick(scan=True)
    summary = (await desk.api.get(f"{desk.base}/agent/status", headers=desk.headers)).json()["last_scan"]
    assert resumed["proposed"], (summary["denied"], summary["skipped"])


async def test_a_due_scan_waits_for_a_free_slot_on_a_later_tick_and_the_tick_goes_on(desk_factory) -> None:  # type: ignore[no-untyped-def]
    desk = await desk_factory("approval", agent_scan_slots=1)
    slots = desk.container.agent._scan_slots
    async with slots:  # another client's scan holds the process's only slot
        busy = await desk.tick()
        assert busy["state"] == "running"
        assert busy["scanned"] is False
        assert busy["proposed"] == []
    free = await desk.tick()
    assert free["scanned"] is True
    assert free["proposed"], free
