"""Refresh-token rotation, reuse detection and logout."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import update

from backend.audit.service import Actor, open_cross_tenant
from backend.kit.container import Container
from backend.kit.db import NO_TENANT, scoped_session
from backend.models import RefreshToken
from backend.models.base import utcnow
from backend.tests.conftest import bearer, create_client_user, login


async def _refresh(api: httpx.AsyncClient, token: str) -> httpx.Response:
    return await api.post("/auth/refresh", json={"refresh_token": token})


async def test_refresh_rotates_the_refresh_token(api: httpx.AsyncClient, container: Container) -> None:
    user = await create_client_user(container)
    first = await login(api, user.email)
    response = await _refresh(api, first["refresh_token"])
    assert response.status_code == 200, response.text
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["client_id"] == str(user.client_id)
    positions = await api.get(f"/clients/{user.client_id}/positions", headers=bearer(second["access_token"]))
    assert positions.status_code == 200


async def test_reused_refresh_token_revokes_the_whole_family(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    first = await login(api, user.email)
    second = (await _refresh(api, first["refresh_token"])).json()
    replay = await _refresh(api, first["refresh_token"])
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "refresh_token_reused"
    # The thief's replay also kills the legitimate holder's newer token: the family is gone.
    assert (await _refresh(api, second["refresh_token"])).status_code == 401


async def test_other_families_survive_a_reuse(api: httpx.AsyncClient, container: Container) -> None:
    user = await create_client_user(container)
    laptop, phone = await login(api, user.email), await login(api, user.email)
    await _refresh(api, laptop["refresh_token"])
    await _refresh(api, laptop["refresh_token"])
    assert (await _refresh(api, phone["refresh_token"])).status_code == 200


async def test_unknown_refresh_token_is_401(api: httpx.AsyncClient) -> None:
    response = await _refresh(api, "x" * 43)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_refresh_token"


async def test_logout_revokes_the_refresh_token(api: httpx.AsyncClient, container: Container) -> None:
    user = await create_client_user(container)
    tokens = await login(api, user.email)
    assert (
        await api.post("/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    ).status_code == 204
    assert (await _refresh(api, tokens["refresh_token"])).status_code == 401
    # Logging out twice is harmless.
    assert (
        await api.post("/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    ).status_code == 204


async def test_expired_refresh_token_is_401(api: httpx.AsyncClient, container: Container) -> None:
    user = await create_client_user(container)
    tokens = await login(api, user.email)
    async with scoped_session(container.sessions, NO_TENANT) as session:
        await open_cross_tenant(session, actor=Actor.system("tests"), reason="expire token")
        await session.execute(
            update(RefreshToken)
            .where(RefreshToken.token_hash == container.tokens.hash_refresh_token(tokens["refresh_token"]))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert (await _refresh(api, tokens["refresh_token"])).status_code == 401
