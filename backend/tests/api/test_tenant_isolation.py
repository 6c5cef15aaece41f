"""Client users reach their own client only; operators reach /admin only."""

from __future__ import annotations

from decimal import Decimal

import httpx

from backend.kit.container import Container
from backend.tests.conftest import bearer, create_client_user, create_operator_user, login
from backend.tests.factories import create_position, create_trade


async def test_client_reads_own_positions_and_trades_with_exact_decimals(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    await create_position(container, user.client_id, quantity=Decimal("-2"))
    await create_trade(container, user.client_id)
    headers = bearer((await login(api, user.email))["access_token"])
    positions = (await api.get(f"/clients/{user.client_id}/positions", headers=headers)).json()
    assert positions["total"] == 1
    item = positions["items"][0]
    assert Decimal(item["quantity"]) == Decimal("-2")
    assert Decimal(item["average_cost"]) == Decimal("3.25")
    assert item["multiplier"] == 100
    trades = (await api.get(f"/clients/{user.client_id}/trades", headers=headers)).json()
    assert trades["total"] == 1
    assert trades["items"][0]["legs"][0]["option_right"] == "P"
    assert Decimal(trades["items"][0]["limit_price"]) == Decimal("-3.25")


async def test_client_a_gets_404_for_client_b(api: httpx.AsyncClient, container: Container) -> None:
    alice, bob = await create_client_user(container), await create_client_user(container)
    await create_position(container, bob.client_id)
    await create_trade(container, bob.client_id)
    headers = bearer((await login(api, alice.email))["access_token"])
    for path in ("positions", "trades"):
        response = await api.get(f"/clients/{bob.client_id}/{path}", headers=headers)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "client_not_found"
    own = (await api.get(f"/clients/{alice.client_id}/positions", headers=headers)).json()
    assert own["total"] == 0


async def test_unknown_client_id_is_also_404(api: httpx.AsyncClient, container: Container) -> None:
    alice = await create_client_user(container)
    headers = bearer((await login(api, alice.email))["access_token"])
    response = await api.get("/clients/00000000-0000-0000-0000-000000000000/positions", headers=headers)
    assert response.status_code == 404


async def test_malformed_client_id_is_422(api: httpx.AsyncClient, container: Container) -> None:
    alice = await create_client_user(container)
    headers = bearer((await login(api, alice.email))["access_token"])
    assert (await api.get("/clients/not-a-uuid/positions", headers=headers)).status_code == 422


async def test_trades_filter_by_status_and_paginate(api: httpx.AsyncClient, container: Container) -> None:
    user = await create_client_user(container)
    for status in ("pending_approval", "denied", "denied"):
        await create_trade(container, user.client_id, status=status)
    headers = bearer((await login(api, user.email))["access_token"])
    denied = (
        await api.get(f"/clients/{user.client_id}/trades?status=denied&limit=1", headers=headers)
    ).json()
    assert denied["total"] == 2
    assert len(denied["items"]) == 1
    assert denied["items"][0]["status"] == "denied"
    too_big = await api.get(f"/clients/{user.client_id}/trades?limit=100000", headers=headers)
    assert too_big.status_code == 422


async def test_client_user_cannot_reach_admin(api: httpx.AsyncClient, container: Container) -> None:
    user = await create_client_user(container)
    headers = bearer((await login(api, user.email))["access_token"])
    response = await api.get("/admin/clients", headers=headers)
    assert response.status_code == 403


async def test_operator_lists_and_creates_clients_but_not_through_client_paths(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    email, password = await create_operator_user(container)
    op = await login(api, email, password)
    assert op["client_id"] is None
    headers = bearer(op["access_token"])
    listed = (await api.get("/admin/clients?limit=500", headers=headers)).json()
    assert str(user.client_id) in {c["id"] for c in listed["items"]}
    created = await api.post(
        "/admin/clients",
        headers=headers,
        json={"name": "New Co", "email": "first@newco.example.com", "password": "a-long-enough-password"},
    )
    assert created.status_code == 201, created.text
    duplicate = await api.post(
        "/admin/clients",
        headers=headers,
        json={"name": "Again", "email": "FIRST@newco.example.com", "password": "a-long-enough-password"},
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "email_taken"
    assert (await api.get(f"/clients/{user.client_id}/positions", headers=headers)).status_code == 403
    new_client = await login(api, "first@newco.example.com", "a-long-enough-password")
    assert new_client["client_id"] == created.json()["client"]["id"]


async def test_admin_create_client_rejects_short_password_with_422(
    api: httpx.AsyncClient, container: Container
) -> None:
    email, password = await create_operator_user(container)
    headers = bearer((await login(api, email, password))["access_token"])
    response = await api.post(
        "/admin/clients", headers=headers, json={"name": "X", "email": "x@example.com", "password": "short"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["loc"] == ["body", "password"]
