"""Operators: one client's detail (users, broker, modes, limits usage) and resetting a user's password."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select

from backend.kit.container import Container
from backend.kit.db import TenantScope, scoped_session
from backend.models import AuditRecord, RefreshToken
from backend.tests.conftest import bearer, create_client_user, create_operator_user, login


async def _operator(api: httpx.AsyncClient, container: Container) -> dict[str, str]:
    email, password = await create_operator_user(container)
    return bearer((await login(api, email, password))["access_token"])


async def test_an_operator_sees_a_clients_users_broker_modes_and_usage(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container, name="Detail client")
    headers = await _operator(api, container)
    response = await api.get(f"/admin/clients/{user.client_id}", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["client"]["name"] == "Detail client"
    assert [u["email"] for u in body["users"]] == [user.email]
    assert "password_hash" not in body["users"][0]
    assert body["broker"]["kind"] == "simulator"
    assert body["broker"]["state"] == "connected"
    # A new client starts in approval mode: the agent proposes, a person approves.
    assert body["agent"]["mode"] == "approval"
    assert body["agent"]["effective_mode"] == "approval"
    assert body["trading"] == {"global_state": "ACTIVE", "client_state": "ACTIVE", "effective": "ACTIVE"}
    assert body["usage"]["client_id"] == str(user.client_id)
    assert body["usage"]["broker_connected"] is True
    assert {i["key"] for i in body["usage"]["items"]} >= {"daily_loss", "open_positions", "portfolio_delta"}


async def test_an_unknown_client_is_404_and_clients_cannot_use_admin(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    headers = await _operator(api, container)
    missing = await api.get(f"/admin/clients/{uuid.uuid4()}", headers=headers)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "client_not_found"
    client_headers = bearer((await login(api, user.email))["access_token"])
    assert (await api.get(f"/admin/clients/{user.client_id}", headers=client_headers)).status_code == 403
    reset = await api.post(f"/admin/users/{user.user_id}/reset-password", headers=client_headers, json={})
    assert reset.status_code == 403


async def test_a_generated_password_logs_in_the_old_one_and_its_sessions_do_not(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    old = await login(api, user.email)
    headers = await _operator(api, container)

    response = await api.post(f"/admin/users/{user.user_id}/reset-password", headers=headers, json={})
    assert response.status_code == 200, response.text
    body = response.json()
    generated = body["generated_password"]
    assert generated
    assert len(generated) >= 12
    assert body["revoked_sessions"] == 1

    refused = await api.post("/auth/login", json={"username": user.email, "password": user.password})
    assert refused.status_code == 401
    assert (await api.post("/auth/refresh", json={"refresh_token": old["refresh_token"]})).status_code == 401
    stale = await api.get(f"/clients/{user.client_id}/positions", headers=bearer(old["access_token"]))
    assert stale.json()["error"]["code"] == "session_revoked"  # the old sign-in's access token too
    assert (await login(api, user.email, generated))["access_token"]
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as session:
        tokens = (
            await session.execute(select(RefreshToken).where(RefreshToken.user_id == user.user_id))
        ).scalars()
        assert [t.revoked_at is not None for t in tokens].count(False) == 1, "only the new login is live"

    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as session:
        (audit,) = (
            await session.execute(select(AuditRecord).where(AuditRecord.action == "user.password_reset"))
        ).scalars()
    assert audit.subject == f"user:{user.user_id}"
    assert audit.data == {"generated": True, "revoked_sessions": 1}
    assert generated not in str(audit.data)


async def test_an_operator_chosen_password_is_not_returned_and_operators_cannot_be_reset(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    headers = await _operator(api, container)
    chosen = "a-brand-new-password-42"
    response = await api.post(
        f"/admin/users/{user.user_id}/reset-password", headers=headers, json={"password": chosen}
    )
    assert response.status_code == 200, response.text
    assert response.json()["generated_password"] is None
    assert (await login(api, user.email, chosen))["access_token"]

    short = await api.post(
        f"/admin/users/{user.user_id}/reset-password", headers=headers, json={"password": "x"}
    )
    assert short.status_code == 422
    missing = await api.post(f"/admin/users/{uuid.uuid4()}/reset-password", headers=headers, json={})
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "user_not_found"
