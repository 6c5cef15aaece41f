"""Operators switch a client user's access off (signed out everywhere at once) and on again, audited."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
from sqlalchemy import select
from websockets.exceptions import ConnectionClosed

from backend.kit.container import Container
from backend.kit.db import TenantScope, scoped_session
from backend.models import AuditRecord
from backend.realtime.stream import CLOSE_ACCOUNT_DISABLED
from backend.tests.conftest import (
    AppFactory,
    api_client,
    bearer,
    create_client_user,
    create_operator_user,
    login,
)
from backend.tests.realtime.helpers import next_message, open_stream, serving


async def _operator(api: httpx.AsyncClient, container: Container) -> tuple[dict[str, str], str]:
    email, password = await create_operator_user(container)
    headers = bearer((await login(api, email, password))["access_token"])
    return headers, (await api.get("/auth/me", headers=headers)).json()["user_id"]


async def _access_audit(container: Container, client_id: uuid.UUID) -> list[AuditRecord]:
    async with scoped_session(container.sessions, TenantScope.for_client(client_id)) as session:
        found = await session.execute(
            select(AuditRecord)
            .where(AuditRecord.action.in_(("user.deactivated", "user.activated")))
            .order_by(AuditRecord.seq)
        )
        return list(found.scalars())


async def test_a_deactivated_user_is_out_everywhere_at_once_and_back_when_reactivated(
    app_factory: AppFactory,
) -> None:
    # The streams' periodic re-check is an hour away: only the deactivation itself can close one in time.
    app = app_factory(stream_recheck_seconds=3600)
    container: Container = app.state.container
    user = await create_client_user(container)
    async with api_client(app) as api:
        tokens = await login(api, user.email)
        operator, operator_id = await _operator(api, container)
        async with (
            serving(app) as address,
            open_stream(address, user.client_id, query=f"token={tokens['access_token']}") as socket,
        ):
            await next_message(socket)
            deactivated = time.monotonic()
            response = await api.post(
                f"/admin/users/{user.user_id}/deactivate",
                headers=operator,
                json={"reason": "left the firm"},
            )
            assert response.status_code == 200, response.text
            assert response.json() == {
                "user_id": str(user.user_id),
                "is_active": False,
                "changed": True,
                "revoked_sessions": 1,
            }
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await next_message(socket, within=5)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == CLOSE_ACCOUNT_DISABLED
        assert time.monotonic() - deactivated < 2.0

        stale = await api.get(f"/clients/{user.client_id}/positions", headers=bearer(tokens["access_token"]))
        assert stale.status_code in (401, 403), "an access token issued before still works"
        login_refused = await api.post(
            "/auth/login", json={"username": user.email, "password": user.password}
        )
        assert login_refused.status_code == 401
        assert (
            await api.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        ).status_code == 401

        again = await api.post(
            f"/admin/users/{user.user_id}/deactivate", headers=operator, json={"reason": "twice"}
        )
        assert again.json()["changed"] is False

        back = await api.post(
            f"/admin/users/{user.user_id}/activate", headers=operator, json={"reason": "rehired"}
        )
        assert back.status_code == 200, back.text
        assert back.json() == {
            "user_id": str(user.user_id),
            "is_active": True,
            "changed": True,
            "revoked_sessions": 0,
        }
        assert (await login(api, user.email))["access_token"], "the same password signs in again"

    audit = await _access_audit(container, user.client_id)
    assert [(a.action, a.data) for a in audit] == [
        ("user.deactivated", {"reason": "left the firm", "revoked_sessions": 1}),
        ("user.activated", {"reason": "rehired", "revoked_sessions": 0}),
    ], "a change that changed nothing is not recorded"
    assert {a.subject for a in audit} == {f"user:{user.user_id}"}
    assert {(a.actor_type, a.actor_id) for a in audit} == {("operator", operator_id)}


async def test_access_changes_need_an_operator_a_reason_and_a_client_user(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    operator, _ = await _operator(api, container)
    client_headers = bearer((await login(api, user.email))["access_token"])
    path = f"/admin/users/{user.user_id}/deactivate"
    assert (await api.post(path, headers=client_headers, json={"reason": "mine"})).status_code == 403
    for blank in ("", "   ", "  x "):
        refused = await api.post(path, headers=operator, json={"reason": blank})
        assert refused.status_code == 422, blank
    assert (await api.post(path, headers=operator, json={})).status_code == 422
    missing = await api.post(
        f"/admin/users/{uuid.uuid4()}/deactivate", headers=operator, json={"reason": "gone"}
    )
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "user_not_found"
    assert (await api.get(f"/clients/{user.client_id}/positions", headers=client_headers)).status_code == 200
