"""A client's broker: status, choosing and configuring it, trying it, reconnecting, persistence."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
from sqlalchemy import select

from backend.audit.service import Actor, open_cross_tenant
from backend.domain.instruments import Side, Stock
from backend.domain.orders import OrderRequest, OrderType
from backend.domain.values import Quantity
from backend.kit.container import Container
from backend.kit.db import NO_TENANT, scoped_session
from backend.models import AuditRecord
from backend.tests.conftest import AppFactory, ClientUser, api_client, bearer, create_client_user, login


async def _signed_in(api: httpx.AsyncClient, container: Container) -> tuple[ClientUser, dict[str, str]]:
    user = await create_client_user(container)
    return user, bearer((await login(api, user.email))["access_token"])


async def test_new_client_has_a_connected_simulator_with_starting_cash(
    api: httpx.AsyncClient, container: Container
) -> None:
    user, headers = await _signed_in(api, container)
    body = (await api.get(f"/clients/{user.client_id}/broker", headers=headers)).json()
    assert body["kind"] == "simulator"
    assert body["state"] == "connected"
    assert body["capabilities"]["options"] is True
    assert Decimal(body["account"]["cash"]) == Decimal("100000")
    assert "simulator" in body["available_kinds"]
    assert body["has_credentials"] is False


async def test_reset_with_new_starting_cash_is_applied_and_audited(
    api: httpx.AsyncClient, container: Container
) -> None:
    user, headers = await _signed_in(api, container)
    response = await api.put(
        f"/clients/{user.client_id}/broker",
        headers=headers,
        json={"kind": "simulator", "settings": {"starting_cash": "25000"}, "reset_account": True},
    )
    assert response.status_code == 200, response.text
    assert Decimal(response.json()["account"]["cash"]) == Decimal("25000")
    assert Decimal(response.json()["settings"]["starting_cash"]) == Decimal("25000")
    async with scoped_session(container.sessions, NO_TENANT) as session:
        await open_cross_tenant(session, actor=Actor.system("tests"), reason="read audit")
        actions = (
            (await session.execute(select(AuditRecord.action).where(AuditRecord.client_id == user.client_id)))
            .scalars()
            .all()
        )
    assert "broker.updated" in actions


async def test_invalid_settings_get_422_naming_the_field(
    api: httpx.AsyncClient, container: Container
) -> None:
    user, headers = await _signed_in(api, container)
    bad_cash = await api.put(
        f"/clients/{user.client_id}/broker",
        headers=headers,
        json={"kind": "simulator", "settings": {"starting_cash": "-5"}},
    )
    assert bad_cash.status_code == 422
    assert bad_cash.json()["error"]["code"] == "invalid_broker_settings"
    assert bad_cash.json()["error"]["details"][0]["loc"] == ["starting_cash"]
    unknown_field = await api.put(
        f"/clients/{user.client_id}/broker",
        headers=headers,
        json={"kind": "simulator", "settings": {"colour": "red"}},
    )
    assert unknown_field.status_code == 422
    unexpected_secret = await api.put(
        f"/clients/{user.client_id}/broker",
        headers=headers,
        json={"kind": "simulator", "credentials": {"x": "y"}},
    )
    assert unexpected_secret.status_code == 422
    unknown_kind = await api.put(
        f"/clients/{user.client_id}/broker", headers=headers, json={"kind": "robinhood"}
    )
    assert unknown_kind.status_code == 422


async def test_trying_settings_does_not_save_them(api: httpx.AsyncClient, container: Container) -> None:
    user, headers = await _signed_in(api, container)
    tried = await api.post(
        f"/clients/{user.client_id}/broker/test",
        headers=headers,
        json={"kind": "simulator", "settings": {"starting_cash": "5000"}},
    )
    assert tried.status_code == 200, tried.text
    assert tried.json()["ok"] is True
    status = (await api.get(f"/clients/{user.client_id}/broker", headers=headers)).json()
    assert status["settings"] == {}


async def test_reconnect_rebuilds_the_session(api: httpx.AsyncClient, container: Container) -> None:
    user, headers = await _signed_in(api, container)
    await api.get(f"/clients/{user.client_id}/broker", headers=headers)
    first = container.brokers.registry.get(user.client_id)
    response = await api.post(f"/clients/{user.client_id}/broker/reconnect", headers=headers)
    assert response.status_code == 200
    assert response.json()["state"] == "connected"
    assert container.brokers.registry.get(user.client_id) is not first


async def test_another_clients_broker_is_404(api: httpx.AsyncClient, container: Container) -> None:
    _, headers = await _signed_in(api, container)
    other = await create_client_user(container)
    assert (await api.get(f"/clients/{other.client_id}/broker", headers=headers)).status_code == 404
    assert (
        await api.post(f"/clients/{other.client_id}/broker/reconnect", headers=headers)
    ).status_code == 404


async def test_a_paper_account_survives_a_restart(app_factory: AppFactory) -> None:
    first = app_factory()
    user = await create_client_user(first.state.container)
    container: Container = first.state.container
    session = await container.brokers.session_for(user.client_id)
    assert await session.wait_connected(5.0)
    await session.broker.place_order(
        OrderRequest(
            client_order_id=f"t-{uuid.uuid4().hex[:12]}",
            instrument=Stock("SPY"),
            side=Side.BUY,
            quantity=Quantity(Decimal(10)),
            order_type=OrderType.MARKET,
        )
    )
    held = {p.instrument.key: p.quantity for p in await session.broker.positions()}
    assert held == {"SPY": Decimal(10)}
    await container.close()  # saves the account, as a shutdown does

    second = app_factory()
    async with api_client(second) as api:
        headers = bearer((await login(api, user.email))["access_token"])
        status = (await api.get(f"/clients/{user.client_id}/broker", headers=headers)).json()
    assert Decimal(status["account"]["cash"]) < Decimal(100_000)
    restored = second.state.container.brokers.registry.get(user.client_id)
    assert {p.instrument.key: p.quantity for p in await restored.broker.positions()} == {"SPY": Decimal(10)}
