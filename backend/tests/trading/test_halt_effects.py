"""What a halt does: the client's banner shows it, and working orders are cancelled after commit."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select

from backend.kit.container import Container
from backend.kit.db import TenantScope, scoped_session
from backend.models import TradingState
from backend.models.trading_state import GLOBAL_SCOPE
from backend.tests.conftest import bearer, create_client_user, login
from backend.tests.trading.conftest import operator_headers

HALT = "/admin/trading-halt"


async def _committed_state(container: Container, scope: str, client_id: uuid.UUID) -> str:
    # A separate session: it only sees what the request has committed.
    async with scoped_session(container.sessions, TenantScope.for_client(client_id)) as session:
        statement = select(TradingState.state).where(TradingState.scope == scope)
        return (await session.execute(statement)).scalar_one()


@pytest.mark.usefixtures("restore_global")
async def test_client_banner_reflects_a_client_halt_and_a_global_restriction(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    other = await create_client_user(container)
    client_headers = bearer((await login(api, user.email))["access_token"])
    headers = await operator_headers(api, container)
    path = f"/clients/{user.client_id}/trading-state"

    view = (await api.get(path, headers=client_headers)).json()
    assert (view["effective"], view["global"]["state"], view["client"]["state"]) == (
        "ACTIVE",
        "ACTIVE",
        "ACTIVE",
    )

    halt = {"scope": "client", "client_id": str(user.client_id), "state": "HALTED", "reason": "margin call"}
    assert (
        await api.post(HALT, json={**halt, "allow_reduce_only": False}, headers=headers)
    ).status_code == 200
    view = (await api.get(path, headers=client_headers)).json()
    assert (view["effective"], view["client"]["state"], view["client"]["reason"]) == (
        "HALTED",
        "HALTED",
        "margin call",
    )
    assert view["reduce_only_allowed"] is False
    assert "changed_by" not in view["client"]

    resume = {**halt, "state": "ACTIVE", "reason": "margin restored"}
    assert (await api.post(HALT, json=resume, headers=headers)).status_code == 200
    restrict = {"scope": "global", "state": "REDUCING", "reason": "exchange incident"}
    assert (await api.post(HALT, json=restrict, headers=headers)).status_code == 200
    view = (await api.get(path, headers=client_headers)).json()
    assert (view["effective"], view["global"]["state"], view["client"]["state"]) == (
        "REDUCING",
        "REDUCING",
        "ACTIVE",
    )
    assert view["global"]["reason"] == "exchange incident"

    # Another client's banner is still its own business: 404, not a glimpse.
    assert (
        await api.get(f"/clients/{other.client_id}/trading-state", headers=client_headers)
    ).status_code == 404


async def test_a_client_halt_cancels_that_clients_orders_after_commit(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    headers = await operator_headers(api, container)
    calls: list[tuple[uuid.UUID | None, str]] = []

    async def cancel_working_orders(client_id: uuid.UUID | None) -> int:
        assert client_id is not None
        calls.append((client_id, await _committed_state(container, str(client_id), client_id)))
        return 3

    container.trading.on_halt = cancel_working_orders
    restrict = {
        "scope": "client",
        "client_id": str(user.client_id),
        "state": "REDUCING",
        "reason": "drawdown",
    }
    response = await api.post(HALT, json=restrict, headers=headers)
    assert (response.json()["cancelled_orders"], calls) == (0, [])

    response = await api.post(HALT, json={**restrict, "state": "HALTED"}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["cancelled_orders"] == 3
    assert calls == [(user.client_id, "HALTED")]


@pytest.mark.usefixtures("restore_global")
async def test_a_global_halt_asks_for_every_clients_orders_to_be_cancelled(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    headers = await operator_headers(api, container)
    calls: list[tuple[uuid.UUID | None, str]] = []

    async def cancel_working_orders(client_id: uuid.UUID | None) -> int:
        calls.append((client_id, await _committed_state(container, GLOBAL_SCOPE, user.client_id)))
        return 7

    container.trading.on_halt = cancel_working_orders
    response = await api.post(
        HALT, json={"scope": "global", "state": "HALTED", "reason": "kill switch"}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["cancelled_orders"] == 7
    assert calls == [(None, "HALTED")]


async def test_a_failing_cancel_hook_keeps_the_halt_and_reports_null(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    headers = await operator_headers(api, container)

    async def broken(_client_id: uuid.UUID | None) -> int:
        raise RuntimeError("broker unreachable")

    container.trading.on_halt = broken
    halt = {"scope": "client", "client_id": str(user.client_id), "state": "HALTED", "reason": "incident"}
    response = await api.post(HALT, json=halt, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["cancelled_orders"] is None
    assert await _committed_state(container, str(user.client_id), user.client_id) == "HALTED"
    assert (await container.trading.status(user.client_id)).effective == "HALTED"
