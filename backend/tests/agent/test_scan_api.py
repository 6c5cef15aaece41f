"""A scan on the simulator: sensible proposals with their figures, all through the gate, none duplicated."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from backend.kit.container import Container
from backend.tests.conftest import bearer, create_client_user, login


def _keys(trades: list[dict[str, Any]]) -> set[str]:
    return {leg["instrument_key"] for trade in trades for leg in trade["legs"]}


async def test_a_new_client_gets_gated_proposals_within_one_scan(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    headers = bearer((await login(api, user.email))["access_token"])
    base = f"/clients/{user.client_id}"
    await api.post(f"{base}/agent/parameters", headers=headers, json={"risk_profile": "moderate"})
    scan = await api.post(f"{base}/agent/scan", headers=headers)
    assert scan.status_code == 200, scan.text
    result = scan.json()
    assert result["proposed"], result["last_scan"]
    trades = (await api.get(f"{base}/trades?status=pending_approval", headers=headers)).json()["items"]
    assert {t["id"] for t in trades} == set(result["proposed"])
    for trade in trades:
        assert trade["origin"] == "agent"
        assert trade["expires_at"] is not None
        metrics = trade["metrics"]
        print(
            trade["strategy"],
            trade["limit_price"],
            metrics["max_profit"],
            metrics["max_loss"],
            metrics["breakevens"],
            metrics["probability_of_profit"],
            trade["rationale"],
        )
        assert Decimal(metrics["max_loss"]) > 0
        assert 0 < metrics["probability_of_profit"] < 1
        assert len(metrics["payoff"]) > 10

    again = (await api.post(f"{base}/agent/scan", headers=headers)).json()
    later = (await api.get(f"{base}/trades?status=pending_approval", headers=headers)).json()["items"]
    fresh = [t for t in later if t["id"] in again["proposed"]]
    assert not _keys(fresh) & _keys(trades), "nothing already proposed is proposed again"
    status = (await api.get(f"{base}/agent/status", headers=headers)).json()
    assert status["open_proposals"] == len(later)
    assert status["last_scan"]["proposed"] == again["proposed"]


async def test_a_client_on_the_default_profile_gets_proposals_too(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    headers = bearer((await login(api, user.email))["access_token"])
    base = f"/clients/{user.client_id}"
    result = (await api.post(f"{base}/agent/scan", headers=headers)).json()
    assert result["proposed"], result["last_scan"]
    limits = (await api.get(f"{base}/agent/parameters", headers=headers)).json()["parameters"]
    for trade_id in result["proposed"]:
        trade = (await api.get(f"{base}/trades/{trade_id}", headers=headers)).json()
        assert trade["strategy"] in limits["entry"]["strategies"]
        assert trade["quantity"] <= limits["sizing"]["max_contracts_per_trade"]
        assert (
            Decimal(trade["metrics"]["capital_at_risk"])
            <= 100_000 * Decimal(limits["sizing"]["max_risk_per_trade_pct"]) / 100
        )
