"""A halt cancels working orders in its scope and stops new opening trades."""

from __future__ import annotations

from decimal import Decimal

import httpx

from backend.domain.orders import OrderStatus
from backend.kit.container import Container
from backend.tests.conftest import bearer, create_client_user, create_operator_user, login


async def test_a_client_halt_cancels_its_resting_order_and_denies_the_next(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    headers = bearer((await login(api, user.email))["access_token"])
    quote = (await api.get(f"/clients/{user.client_id}/market/quote?symbols=SPY", headers=headers)).json()
    bid = Decimal(quote["quotes"][0]["bid"])
    resting = {
        "legs": [{"sec_type": "stock", "symbol": "SPY", "side": "buy"}],
        "quantity": 2,
        "order_type": "limit",
        # Below the market but inside the price collar: it rests.
        "limit_price": str((bid * Decimal("0.96")).quantize(Decimal("0.01"))),
    }
    trade = (await api.post(f"/clients/{user.client_id}/trades", headers=headers, json=resting)).json()
    assert trade["status"] == "submitted", trade
    client_order_id = trade["orders"][0]["client_order_id"]

    email, password = await create_operator_user(container)
    operator = bearer((await login(api, email, password))["access_token"])
    halted = await api.post(
        "/admin/trading-halt",
        headers=operator,
        json={
            "scope": "client",
            "client_id": str(user.client_id),
            "state": "HALTED",
            "reason": "risk review",
        },
    )
    assert halted.status_code == 200, halted.text
    assert halted.json()["cancelled_orders"] == 1

    session = container.brokers.registry.get(user.client_id)
    assert session is not None
    assert (await session.broker.order_status(client_order_id)).status is OrderStatus.CANCELLED
    again = (await api.post(f"/clients/{user.client_id}/trades", headers=headers, json=resting)).json()
    assert again["status"] == "denied"
    assert "trading_halted" in {d["code"] for d in again["denial_reasons"]}

    resumed = await api.post(
        "/admin/trading-halt",
        headers=operator,
        json={
            "scope": "client",
            "client_id": str(user.client_id),
            "state": "ACTIVE",
            "reason": "review done",
        },
    )
    assert resumed.status_code == 200
    after = (await api.post(f"/clients/{user.client_id}/trades", headers=headers, json=resting)).json()
    assert after["status"] == "submitted", after
