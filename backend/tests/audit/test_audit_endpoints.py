"""The audit trail's endpoints: a client reads its own chain; operators read and verify them all."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from backend.audit.service import Actor, record
from backend.kit.container import Container
from backend.kit.db import NO_TENANT, TenantScope, scoped_session
from backend.models import AuditRecord
from backend.tests.conftest import (
    ON_POSTGRES,
    api_client,
    bearer,
    create_client_user,
    create_operator_user,
    login,
)


async def _records(container: Container, client_id: uuid.UUID, *actions: str) -> None:
    async with scoped_session(container.sessions, TenantScope.for_client(client_id)) as session:
        for action in actions:
            await record(session, actor=Actor("user", "u"), action=action, client_id=client_id)


async def _operator_headers(api: httpx.AsyncClient, container: Container) -> dict[str, str]:
    email, password = await create_operator_user(container)
    return bearer((await login(api, email, password))["access_token"])


async def test_a_client_reads_only_its_own_chain_newest_first(
    api: httpx.AsyncClient, container: Container
) -> None:
    alice, bob = await create_client_user(container), await create_client_user(container)
    headers = bearer((await login(api, alice.email))["access_token"])
    await _records(container, alice.client_id, "test.one", "test.two")
    await _records(container, bob.client_id, "test.bob")

    page = (await api.get(f"/clients/{alice.client_id}/audit", headers=headers)).json()
    actions = [r["action"] for r in page["items"]]
    assert page["total"] == len(actions)
    assert actions[:2] == ["test.two", "test.one"]
    assert actions[-1] == "client.created"
    assert "test.bob" not in actions
    assert {r["chain"] for r in page["items"]} == {str(alice.client_id)}
    assert [r["seq"] for r in page["items"]] == list(range(len(actions), 0, -1))
    assert page["items"][0]["prev_hash"] == page["items"][1]["hash"]

    response = await api.get(f"/clients/{bob.client_id}/audit", headers=headers)
    assert response.status_code == 404


async def test_a_clients_audit_pages_and_filters_by_action_prefix(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    await _records(
        container, user.client_id, *(f"test.alpha.{n}" for n in range(5)), "test.beta", "test_alpha"
    )
    headers = bearer((await login(api, user.email))["access_token"])
    path = f"/clients/{user.client_id}/audit"

    first = (await api.get(path, headers=headers, params={"action": "test.alpha", "limit": 2})).json()
    assert (first["total"], first["limit"], first["offset"]) == (5, 2, 0)
    assert [r["action"] for r in first["items"]] == ["test.alpha.4", "test.alpha.3"]
    last = (
        await api.get(path, headers=headers, params={"action": "test.alpha", "limit": 2, "offset": 4})
    ).json()
    assert [r["action"] for r in last["items"]] == ["test.alpha.0"]
    # '_' and '%' are literal characters in a prefix, not wildcards.
    assert (await api.get(path, headers=headers, params={"action": "test_"})).json()["total"] == 1
    assert (await api.get(path, headers=headers, params={"action": "test%"})).json()["total"] == 0
    assert (await api.get(path, headers=headers, params={"limit": 0})).status_code == 422


async def test_operators_filter_every_chain_by_client_and_action(
    api: httpx.AsyncClient, container: Container
) -> None:
    alice, bob = await create_client_user(container), await create_client_user(container)
    await _records(container, alice.client_id, "test.alice")
    await _records(container, bob.client_id, "test.bob")
    headers = await _operator_headers(api, container)

    page = (await api.get("/admin/audit", headers=headers, params={"client_id": str(bob.client_id)})).json()
    assert [r["action"] for r in page["items"]] == ["test.bob", "client.created"]
    page = (await api.get("/admin/audit", headers=headers, params={"action": "test.alice"})).json()
    assert {r["client_id"] for r in page["items"]} == {str(alice.client_id)}
    page = (await api.get("/admin/audit", headers=headers, params={"limit": 500})).json()
    # Newest first across chains: this very request's cross-tenant access heads the global chain.
    assert page["items"][0]["action"] == "access.cross_tenant"
    assert {"global", str(alice.client_id), str(bob.client_id)} <= {r["chain"] for r in page["items"]}
    assert [r["id"] for r in page["items"]] == sorted((r["id"] for r in page["items"]), reverse=True)
    assert page["verification"] is not None
    page = (await api.get("/admin/audit", headers=headers, params={"verify": "false"})).json()
    assert page["verification"] is None


async def test_verification_is_ok_after_normal_activity(fresh_app: FastAPI) -> None:
    container: Container = fresh_app.state.container
    async with api_client(fresh_app) as api:
        user = await create_client_user(container)
        await _records(container, user.client_id, "test.one", "test.two")
        headers = await _operator_headers(api, container)
        halt = {"scope": "client", "client_id": str(user.client_id), "state": "HALTED", "reason": "drill"}
        assert (await api.post("/admin/trading-halt", json=halt, headers=headers)).status_code == 200
        page = (await api.get("/admin/audit", headers=headers)).json()
    assert page["verification"] == {"ok": True, "breaks": []}
    assert {"client.created", "operator.created", "trading.halted", "access.cross_tenant"} <= {
        r["action"] for r in page["items"]
    }


@pytest.mark.skipif(ON_POSTGRES, reason="the application role cannot UPDATE the audit log on PostgreSQL")
async def test_verification_reports_an_edited_record(fresh_app: FastAPI) -> None:
    container: Container = fresh_app.state.container
    user = await create_client_user(container)
    await _records(container, user.client_id, "test.edit-me", "test.after")
    async with scoped_session(container.sessions, NO_TENANT) as session:
        await session.execute(
            update(AuditRecord).where(AuditRecord.action == "test.edit-me").values(action="test.forged")
        )
    async with api_client(fresh_app) as api:
        page = (await api.get("/admin/audit", headers=await _operator_headers(api, container))).json()
    assert page["verification"]["ok"] is False
    assert [(b["chain"], b["seq"]) for b in page["verification"]["breaks"]] == [(str(user.client_id), 2)]
