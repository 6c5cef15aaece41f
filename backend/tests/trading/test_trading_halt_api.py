"""Operators halt, restrict and resume trading through /admin/trading-halt, audited and recorded."""

from __future__ import annotations

import uuid

import httpx
import pytest

from backend.kit.container import Container
from backend.tests.conftest import bearer, create_client_user, login
from backend.tests.trading.conftest import operator_headers

HALT = "/admin/trading-halt"


def _body(
    client_id: uuid.UUID | None, state: str, reason: str = "risk review", **extra: object
) -> dict[str, object]:
    scope = {"scope": "client", "client_id": str(client_id)} if client_id else {"scope": "global"}
    return {**scope, "state": state, "reason": reason, **extra}


async def test_halt_and_resume_a_client_are_recorded_in_history_and_audit(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    headers = await operator_headers(api, container)

    halted = await api.post(
        HALT, json=_body(user.client_id, "HALTED", allow_reduce_only=False), headers=headers
    )
    assert halted.status_code == 200, halted.text
    body = halted.json()
    assert (body["from_state"], body["to_state"], body["cancelled_orders"]) == ("ACTIVE", "HALTED", 0)
    assert body["scope"] == str(user.client_id)
    assert body["allow_reduce_only"] is False
    assert body["changed_by"].startswith("operator:")

    overview = (await api.get(HALT, headers=headers, params={"client_id": str(user.client_id)})).json()
    assert str(user.client_id) in {c["scope"] for c in overview["clients"] if c["state"] == "HALTED"}
    assert overview["global"]["scope"] == "global"
    assert [h["to_state"] for h in overview["history"]["items"]] == ["HALTED"]

    resumed = await api.post(HALT, json=_body(user.client_id, "ACTIVE", "all clear"), headers=headers)
    assert resumed.status_code == 200, resumed.text
    assert (resumed.json()["from_state"], resumed.json()["to_state"]) == ("HALTED", "ACTIVE")

    overview = (await api.get(HALT, headers=headers, params={"client_id": str(user.client_id)})).json()
    assert str(user.client_id) not in {c["scope"] for c in overview["clients"]}
    history = overview["history"]
    assert history["total"] == 2
    assert [(h["to_state"], h["reason"]) for h in history["items"]] == [
        ("ACTIVE", "all clear"),
        ("HALTED", "risk review"),
    ]

    audit = (
        await api.get(
            "/admin/audit", headers=headers, params={"client_id": str(user.client_id), "action": "trading."}
        )
    ).json()
    assert [r["action"] for r in audit["items"]] == ["trading.resumed", "trading.halted"]
    assert audit["items"][1]["data"]["reason"] == "risk review"
    assert audit["items"][1]["actor_type"] == "operator"


async def test_history_pages_newest_first(api: httpx.AsyncClient, container: Container) -> None:
    user = await create_client_user(container)
    headers = await operator_headers(api, container)
    for state in ("REDUCING", "HALTED", "ACTIVE"):
        response = await api.post(HALT, json=_body(user.client_id, state), headers=headers)
        assert response.status_code == 200, response.text
    params: dict[str, str | int] = {"client_id": str(user.client_id), "limit": 2, "offset": 1}
    history = (await api.get(HALT, headers=headers, params=params)).json()["history"]
    assert history["total"] == 3
    assert [h["to_state"] for h in history["items"]] == ["HALTED", "REDUCING"]


@pytest.mark.parametrize("reason", [None, "", "  x ", "ab", "r" * 501])
async def test_a_change_without_a_proper_reason_is_422(
    api: httpx.AsyncClient, container: Container, reason: str | None
) -> None:
    user = await create_client_user(container)
    headers = await operator_headers(api, container)
    body = _body(user.client_id, "HALTED")
    if reason is None:
        del body["reason"]
    else:
        body["reason"] = reason
    response = await api.post(HALT, json=body, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    assert any(d["loc"][-1] == "reason" for d in response.json()["error"]["details"])


@pytest.mark.parametrize(
    "body",
    [
        {"scope": "client", "state": "HALTED", "reason": "no client given"},
        {"scope": "global", "client_id": str(uuid.uuid4()), "state": "HALTED", "reason": "client given"},
        {"scope": "everything", "state": "HALTED", "reason": "bad scope"},
        {"scope": "global", "state": "PAUSED", "reason": "bad state"},
    ],
)
async def test_scope_client_and_state_mismatches_are_422(
    api: httpx.AsyncClient, container: Container, body: dict[str, object]
) -> None:
    headers = await operator_headers(api, container)
    response = await api.post(HALT, json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert set(response.json()["error"]) >= {"code", "message", "details", "request_id"}


async def test_halting_an_unknown_client_is_404(api: httpx.AsyncClient, container: Container) -> None:
    headers = await operator_headers(api, container)
    response = await api.post(HALT, json=_body(uuid.uuid4(), "HALTED"), headers=headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "client_not_found"


async def test_client_users_get_403_on_admin_endpoints(api: httpx.AsyncClient, container: Container) -> None:
    user = await create_client_user(container)
    headers = bearer((await login(api, user.email))["access_token"])
    responses = [
        await api.post(HALT, json=_body(user.client_id, "ACTIVE", "let me trade"), headers=headers),
        await api.post(HALT, json=_body(None, "HALTED"), headers=headers),
        await api.get(HALT, headers=headers),
        await api.get("/admin/audit", headers=headers),
    ]
    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    assert {r.json()["error"]["code"] for r in responses} == {"role_forbidden"}


async def test_anonymous_callers_get_401(api: httpx.AsyncClient) -> None:
    assert (await api.post(HALT, json=_body(None, "HALTED"))).status_code == 401
    assert (await api.get(HALT)).status_code == 401
