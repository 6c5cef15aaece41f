"""GET /clients/{id}/risk/usage: each limit with what counts against it now, from our books and the broker."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import httpx

from backend.audit.service import Actor, open_cross_tenant
from backend.clients import service as clients
from backend.kit.container import Container
from backend.kit.db import NO_TENANT, scoped_session
from backend.tests.conftest import TEST_PASSWORD, bearer, create_client_user, create_operator_user, login


def _by_key(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["key"]: item for item in body["items"]}


async def _buy_spy(api: httpx.AsyncClient, base: str, headers: dict[str, str], quantity: int) -> None:
    quote = (await api.get(f"{base}/market/quote?symbols=SPY", headers=headers)).json()["quotes"][0]
    ticket = {
        "legs": [{"sec_type": "stock", "symbol": "SPY", "side": "buy"}],
        "quantity": quantity,
        "limit_price": str(Decimal(quote["ask"]) + 1),
    }
    trade = (await api.post(f"{base}/trades", headers=headers, json=ticket)).json()
    assert trade["status"] == "filled", trade


async def test_usage_counts_a_position_its_delta_and_the_order_against_the_limits(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    headers = bearer((await login(api, user.email))["access_token"])
    base = f"/clients/{user.client_id}"
    before = _by_key((await api.get(f"{base}/risk/usage", headers=headers)).json())
    assert before["open_positions"]["used"] == "0"
    assert before["orders_per_minute"]["used"] == "0"
    assert Decimal(before["daily_loss"]["used"]) == 0, "nothing traded yet: no loss"

    await _buy_spy(api, base, headers, 10)

    response = await api.get(f"{base}/risk/usage", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["broker_connected"] is True
    usage = _by_key(body)
    assert set(usage) == {
        "daily_loss",
        "open_positions",
        "portfolio_delta",
        "portfolio_gamma",
        "portfolio_vega",
        "orders_per_minute",
        "capital_at_risk",
    }
    parameters = (await api.get(f"{base}/agent/parameters", headers=headers)).json()["parameters"]
    limits = parameters["risk"]
    assert usage["open_positions"]["used"] == "1"
    assert Decimal(usage["open_positions"]["limit"]) == limits["max_open_positions"]
    assert usage["open_positions"]["ratio"] == 1 / limits["max_open_positions"]
    assert usage["orders_per_minute"]["used"] == "1"
    assert Decimal(usage["portfolio_delta"]["value"]) == 10, "ten shares: ten deltas"
    assert Decimal(usage["portfolio_delta"]["used"]) == 10
    assert Decimal(usage["portfolio_delta"]["limit"]) == Decimal(limits["max_portfolio_delta"])
    assert Decimal(usage["portfolio_gamma"]["used"]) == 0
    # Bought at the ask and marked at the mid: the spread shows as today's (small) loss.
    daily = usage["daily_loss"]
    assert Decimal(daily["value"]) == -Decimal(daily["used"])
    assert Decimal(daily["used"]) >= 0
    assert Decimal(daily["limit"]) == Decimal(limits["max_daily_loss"])
    # A trade of the client's own is not an agent structure: no agent capital at risk.
    capital = usage["capital_at_risk"]
    assert Decimal(capital["used"]) == 0
    budget = Decimal(parameters["sizing"]["max_risk_total_pct"]) / 100 * Decimal(body["net_liquidation"])
    assert Decimal(capital["limit"]) == budget.quantize(Decimal("0.01"))


async def test_another_clients_usage_is_404(api: httpx.AsyncClient, container: Container) -> None:
    alice, bob = await create_client_user(container), await create_client_user(container)
    headers = bearer((await login(api, alice.email))["access_token"])
    response = await api.get(f"/clients/{bob.client_id}/risk/usage", headers=headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "client_not_found"


async def test_operators_read_usage_only_through_admin(api: httpx.AsyncClient, container: Container) -> None:
    user = await create_client_user(container)
    email, password = await create_operator_user(container)
    headers = bearer((await login(api, email, password))["access_token"])
    response = await api.get(f"/clients/{user.client_id}/risk/usage", headers=headers)
    assert response.status_code == 403


async def test_without_a_broker_the_broker_measures_are_null_with_a_reason(
    api: httpx.AsyncClient, container: Container
) -> None:
    email = f"nobroker-{uuid.uuid4().hex[:12]}@example.com"
    async with scoped_session(container.sessions, NO_TENANT) as session:
        await open_cross_tenant(session, actor=Actor.system("tests"), reason="test factory")
        created = await clients.create_client(
            session,
            name="No broker",
            email=email,
            password=TEST_PASSWORD,
            passwords=container.passwords,
            actor=Actor.system("tests"),
            with_simulator=False,
        )
    headers = bearer((await login(api, email))["access_token"])
    response = await api.get(f"/clients/{created.client.id}/risk/usage", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["broker_connected"] is False
    usage = _by_key(body)
    for key in ("daily_loss", "portfolio_delta", "portfolio_gamma", "portfolio_vega"):
        assert usage[key]["used"] is None, key
        assert usage[key]["ratio"] is None, key
        assert usage[key]["reason"], key
    # The agent's capital at risk is in our books, but its budget is a share of the broker's net liquidation.
    assert usage["capital_at_risk"]["used"] == "0"
    assert usage["capital_at_risk"]["limit"] is None
    assert usage["capital_at_risk"]["ratio"] is None
    assert usage["capital_at_risk"]["reason"]
    # What our own books know stays known.
    assert usage["open_positions"]["used"] == "0"
    assert usage["orders_per_minute"]["used"] == "0"
    assert usage["daily_loss"]["limit"] is not None
