"""Liveness and readiness."""

from __future__ import annotations

import httpx

from backend.tests.conftest import AppFactory, api_client


async def test_health_answers_ok(api: httpx.AsyncClient) -> None:
    response = await api.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_is_200_when_database_answers(api: httpx.AsyncClient) -> None:
    response = await api.get("/health/ready")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    assert body["components"]["database"]["ok"] is True
    assert "broker_sessions" in body["components"]


async def test_ready_is_503_naming_the_database_when_it_is_unreachable(app_factory: AppFactory) -> None:
    # Port 1 on loopback: nothing listens, so the connection is refused at once.
    app = app_factory(database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none")
    async with api_client(app) as api:
        response = await api.get("/health/ready")
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "not_ready"
    assert error["details"]["failing"] == ["database"]
    assert "127.0.0.1:1" not in response.text


async def test_ready_is_503_naming_redis_when_it_is_unreachable(app_factory: AppFactory) -> None:
    app = app_factory(redis_url="redis://127.0.0.1:1/0")
    async with api_client(app) as api:
        response = await api.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["error"]["details"]["failing"] == ["redis"]


async def test_requests_get_503_not_500_when_the_database_is_unreachable(app_factory: AppFactory) -> None:
    app = app_factory(database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none")
    async with api_client(app) as api:
        response = await api.post(
            "/auth/login", json={"username": "someone@example.com", "password": "whatever"}
        )
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] in ("database_unavailable", "dependency_unavailable")
    assert response.headers["retry-after"] == "1"
