"""Agent parameters: profiles, validation naming the field and its range, versions kept and audited."""

from __future__ import annotations

from decimal import Decimal

import httpx

from backend.kit.container import Container
from backend.tests.conftest import bearer, create_client_user, login


async def _client(api: httpx.AsyncClient, container: Container) -> tuple[str, dict[str, str]]:
    user = await create_client_user(container)
    headers = bearer((await login(api, user.email))["access_token"])
    return f"/clients/{user.client_id}/agent", headers


async def test_a_new_client_runs_on_its_profile_with_the_gates_built_in_limits(
    api: httpx.AsyncClient, container: Container
) -> None:
    base, headers = await _client(api, container)
    body = (await api.get(f"{base}/parameters", headers=headers)).json()
    assert body["version"] == 1
    assert body["risk_profile"] == "conservative"
    assert Decimal(body["parameters"]["entry"]["target_delta_max"]) == Decimal("0.22")
    assert Decimal(body["parameters"]["risk"]["max_daily_loss"]) == 2000
    assert {k: Decimal(v) for k, v in body["ranges"]["risk.max_daily_loss"].items() if v} == {
        "min": 0,
        "max": 10_000_000,
    }


async def test_choosing_a_profile_sets_its_defaults_and_keeps_the_previous_version(
    api: httpx.AsyncClient, container: Container
) -> None:
    base, headers = await _client(api, container)
    chosen = await api.post(f"{base}/parameters", headers=headers, json={"risk_profile": "aggressive"})
    assert chosen.status_code == 200, chosen.text
    body = chosen.json()
    assert (body["version"], body["risk_profile"]) == (2, "aggressive")
    assert Decimal(body["parameters"]["risk"]["max_daily_loss"]) == 5000

    changed = await api.post(
        f"{base}/parameters",
        headers=headers,
        json={"parameters": {"risk": {"max_daily_loss": 1500}}, "expected_version": 2},
    )
    assert changed.status_code == 200, changed.text
    assert Decimal(changed.json()["parameters"]["risk"]["max_daily_loss"]) == 1500
    assert Decimal(changed.json()["parameters"]["entry"]["wing_width"]) == 10, "the rest is untouched"

    history = (await api.get(f"{base}/parameters/history", headers=headers)).json()
    assert [(v["version"], v["risk_profile"]) for v in history] == [
        (3, "aggressive"),
        (2, "aggressive"),
        (1, "conservative"),
    ]
    assert Decimal(history[1]["parameters"]["risk"]["max_daily_loss"]) == 5000
    audit = (await api.get(f"/clients/{base.split('/')[2]}/audit", headers=headers)).json()["items"]
    changes = [r for r in audit if r["action"] == "agent.parameters_changed"]
    assert len(changes) == 2
    assert any(r["data"]["changed"] == ["risk.max_daily_loss"] for r in changes)


async def test_out_of_range_values_name_the_field_and_its_range_and_change_nothing(
    api: httpx.AsyncClient, container: Container
) -> None:
    base, headers = await _client(api, container)
    bad = await api.post(
        f"{base}/parameters", headers=headers, json={"parameters": {"risk": {"max_daily_loss": -5}}}
    )
    assert bad.status_code == 422
    error = bad.json()["error"]
    assert error["code"] == "invalid_parameters"
    (problem,) = error["details"]
    assert problem["field"] == "risk.max_daily_loss"
    assert problem["allowed"] == {"min": "0", "max": "10000000"}

    crossed = await api.post(
        f"{base}/parameters",
        headers=headers,
        json={"parameters": {"entry": {"target_delta_min": "0.4", "target_delta_max": "0.2"}}},
    )
    assert crossed.status_code == 422
    assert "target_delta_min" in crossed.json()["error"]["message"]

    unknown = await api.post(
        f"{base}/parameters", headers=headers, json={"parameters": {"risk": {"nope": 1}}}
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"]["details"][0]["field"] == "risk.nope"
    assert (await api.get(f"{base}/parameters", headers=headers)).json()["version"] == 1


async def test_a_stale_version_is_refused(api: httpx.AsyncClient, container: Container) -> None:
    base, headers = await _client(api, container)
    await api.post(f"{base}/parameters", headers=headers, json={"risk_profile": "moderate"})
    stale = await api.post(
        f"{base}/parameters",
        headers=headers,
        json={"parameters": {"scan_interval_seconds": 60}, "expected_version": 1},
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["details"] == {"version": 2}


async def test_the_gate_enforces_the_saved_limits(api: httpx.AsyncClient, container: Container) -> None:
    base, headers = await _client(api, container)
    client_base = base.removesuffix("/agent")
    refused = await api.post(
        f"{base}/parameters", headers=headers, json={"parameters": {"risk": {"allowed_underlyings": ["QQQ"]}}}
    )
    assert refused.status_code == 422, "the watchlist holds symbols the limits would forbid"
    assert "SPY" in refused.json()["error"]["message"]
    saved = await api.post(
        f"{base}/parameters",
        headers=headers,
        json={"parameters": {"watchlist": ["QQQ"], "risk": {"allowed_underlyings": ["QQQ"]}}},
    )
    assert saved.status_code == 200, saved.text
    ticket = {
        "legs": [{"sec_type": "stock", "symbol": "SPY", "side": "buy"}],
        "quantity": 1,
        "limit_price": "1",
    }
    trade = (await api.post(f"{client_base}/trades", headers=headers, json=ticket)).json()
    assert trade["status"] == "denied"
    assert "underlying_not_allowed" in {d["code"] for d in trade["denial_reasons"]}
