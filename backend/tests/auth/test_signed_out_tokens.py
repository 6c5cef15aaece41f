"""Ending a sign-in ends its access tokens too: after logout, or once a reused refresh token revokes
its family, every endpoint refuses them with `session_revoked`, while other sign-ins go on."""

from __future__ import annotations

import httpx

from backend.kit.container import Container
from backend.tests.conftest import bearer, create_client_user, create_operator_user, login


def _refused_as_signed_out(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "session_revoked"
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_logout_ends_the_access_tokens_of_that_sign_in_only(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    phone, laptop = await login(api, user.email), await login(api, user.email)
    reads = [f"/clients/{user.client_id}/positions", f"/clients/{user.client_id}/portfolio"]
    for path in reads:  # a read on the lean check, and one on the full user load
        assert (await api.get(path, headers=bearer(phone["access_token"]))).status_code == 200, path

    assert (await api.post("/auth/logout", json={"refresh_token": phone["refresh_token"]})).status_code == 204
    for path in reads:
        _refused_as_signed_out(await api.get(path, headers=bearer(phone["access_token"])))
        assert (await api.get(path, headers=bearer(laptop["access_token"]))).status_code == 200, path
    ticket = await api.post(f"/clients/{user.client_id}/stream-ticket", headers=bearer(phone["access_token"]))
    _refused_as_signed_out(ticket)


async def test_a_reused_refresh_token_ends_the_access_tokens_of_its_family(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    first = await login(api, user.email)
    rotated = (await api.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})).json()
    path = f"/clients/{user.client_id}/positions"
    assert (await api.get(path, headers=bearer(rotated["access_token"]))).status_code == 200
    # The old refresh token again: someone holds a copy, so the whole sign-in is revoked.
    reused = await api.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reused.json()["error"]["code"] == "refresh_token_reused"
    for token in (first["access_token"], rotated["access_token"]):
        _refused_as_signed_out(await api.get(path, headers=bearer(token)))


async def test_an_operators_logout_ends_their_access_token(
    api: httpx.AsyncClient, container: Container
) -> None:
    email, password = await create_operator_user(container)
    tokens = await login(api, email, password)
    assert (await api.get("/admin/clients", headers=bearer(tokens["access_token"]))).status_code == 200
    await api.post("/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    _refused_as_signed_out(await api.get("/admin/clients", headers=bearer(tokens["access_token"])))
