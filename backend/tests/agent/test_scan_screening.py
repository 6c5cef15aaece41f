"""A scan screens its candidates against one read of the client, and stops when no candidate can pass."""

from __future__ import annotations

from typing import Any

import httpx

from backend.kit.container import Container
from backend.tests.conftest import bearer, create_client_user, login


async def _client(api: httpx.AsyncClient, container: Container) -> tuple[str, dict[str, str]]:
    user = await create_client_user(container)
    headers = bearer((await login(api, user.email))["access_token"])
    base = f"/clients/{user.client_id}"
    saved = await api.post(f"{base}/agent/parameters", headers=headers, json={"risk_profile": "moderate"})
    assert saved.status_code == 200, saved.text
    return base, headers


async def _risk(api: httpx.AsyncClient, base: str, headers: dict[str, str], **risk: Any) -> None:
    saved = await api.post(f"{base}/agent/parameters", headers=headers, json={"parameters": {"risk": risk}})
    assert saved.status_code == 200, saved.text


async def _scan(api: httpx.AsyncClient, base: str, headers: dict[str, str]) -> dict[str, Any]:
    scan = await api.post(f"{base}/agent/scan", headers=headers)
    assert scan.status_code == 200, scan.text
    return dict(scan.json())


async def test_a_scan_with_the_order_rate_spent_stops_at_its_first_gate_check(
    api: httpx.AsyncClient, container: Container
) -> None:
    base, headers = await _client(api, container)
    first = await _scan(api, base, headers)
    assert first["proposed"], first["last_scan"]
    approved = await api.post(f"{base}/agent/approve/{first['proposed'][0]}", headers=headers)
    assert approved.status_code == 200, approved.text
    await _risk(api, base, headers, max_orders_per_minute=1)

    summary = (await _scan(api, base, headers))["last_scan"]

    assert summary["proposed"] == []
    # One candidate met the gate: the order rate would refuse every other one the same way.
    assert summary["denied"] == {"order_rate": 1}, summary
    assert summary["skipped"]["not_screened"] > 100, summary
    assert summary["candidates"] == 1 + sum(summary["skipped"].values()), summary


async def test_a_scan_runs_at_most_25_candidates_through_the_gate(
    api: httpx.AsyncClient, container: Container
) -> None:
    base, headers = await _client(api, container)
    # Every candidate collects more premium than this: each is refused for its own terms.
    await _risk(api, base, headers, max_premium_per_order=10)

    summary = (await _scan(api, base, headers))["last_scan"]

    assert summary["proposed"] == []
    assert summary["denied"].get("premium_per_order") == 25, summary
    assert summary["candidates"] == 25 + sum(summary["skipped"].values()), summary
    assert summary["skipped"]["not_screened"] > 0, summary
