"""Every 4xx/5xx carries the one error body and a request id."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from backend.kit.deps import SessionDep
from backend.models import Client
from backend.tests.conftest import api_client


async def test_unknown_route_gets_404_error_body_with_request_id(api: httpx.AsyncClient) -> None:
    response = await api.get("/no/such/route")
    assert response.status_code == 404
    body = response.json()["error"]
    assert body["code"] == "not_found"
    assert body["request_id"] == response.headers["x-request-id"]


async def test_wrong_method_gets_405_error_body(api: httpx.AsyncClient) -> None:
    response = await api.delete("/health")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


async def test_validation_error_names_the_field_without_echoing_input(api: httpx.AsyncClient) -> None:
    response = await api.post("/auth/login", json={"username": "ab", "password": "hunter2-secret"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"][0]["loc"] == ["username"]
    assert "hunter2-secret" not in response.text


async def test_malformed_json_gets_4xx_not_500(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


async def test_inbound_request_id_is_kept_when_sane(api: httpx.AsyncClient) -> None:
    response = await api.get("/health", headers={"X-Request-ID": "trace-abc-12345"})
    assert response.headers["x-request-id"] == "trace-abc-12345"
    hostile = await api.get("/health", headers={"X-Request-ID": "bad id\nwith newline"})
    assert hostile.headers["x-request-id"] != "bad id\nwith newline"


async def test_unhandled_error_gets_500_body_with_request_id_and_no_trace(app: FastAPI) -> None:
    @app.get("/boom-for-test")
    async def boom() -> None:
        raise RuntimeError("internal detail that must not leak")

    async with api_client(app) as api:
        response = await api.get("/boom-for-test")
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "internal_error"
    assert error["request_id"] == response.headers["x-request-id"]
    assert "internal detail" not in response.text
    assert "Traceback" not in response.text


async def test_cors_allows_configured_origin_only(api: httpx.AsyncClient) -> None:
    preflight = {"Access-Control-Request-Method": "GET"}
    allowed = await api.options("/health", headers={"Origin": "http://localhost:5173", **preflight})
    assert allowed.headers.get("access-control-allow-origin") == "http://localhost:5173"
    refused = await api.options("/health", headers={"Origin": "http://evil.example", **preflight})
    assert "access-control-allow-origin" not in refused.headers


async def test_a_failed_commit_is_an_error_response_not_a_200(app: FastAPI) -> None:
    @app.post("/commit-fails-for-test")
    async def commit_fails(session: SessionDep) -> dict[str, str]:
        # Violates the status check constraint, which only the commit's flush reaches.
        session.add(Client(name="x", status="not-a-status"))
        return {"status": "ok"}

    async with api_client(app) as api:
        response = await api.post("/commit-fails-for-test")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
