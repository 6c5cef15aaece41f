"""Password login, its throttling, and its audit trail."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from backend.audit.service import Actor, open_cross_tenant
from backend.auth.repository import get_user, get_user_by_email
from backend.kit.container import Container
from backend.kit.db import NO_TENANT, scoped_session
from backend.models import AuditRecord
from backend.tests.conftest import AppFactory, api_client, bearer, create_client_user, login


async def test_login_with_json_returns_tokens_and_client_id(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    body = await login(api, user.email)
    assert body["token_type"] == "bearer"
    assert body["client_id"] == str(user.client_id)
    assert body["expires_in"] == 900
    assert body["refresh_token"]
    assert container.tokens.verify_access(body["access_token"]).client_id == user.client_id


async def test_login_accepts_the_oauth2_password_form(api: httpx.AsyncClient, container: Container) -> None:
    user = await create_client_user(container)
    response = await api.post("/auth/login", data={"username": user.email.upper(), "password": user.password})
    assert response.status_code == 200, response.text
    assert response.json()["client_id"] == str(user.client_id)


async def test_wrong_password_and_unknown_user_get_the_same_401(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    wrong = await api.post("/auth/login", json={"username": user.email, "password": "not the password"})
    unknown = await api.post("/auth/login", json={"username": "nobody@example.com", "password": "whatever"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"]["code"] == unknown.json()["error"]["code"] == "invalid_credentials"
    assert wrong.json()["error"]["message"] == unknown.json()["error"]["message"]


async def test_failed_and_successful_logins_are_audited(api: httpx.AsyncClient, container: Container) -> None:
    user = await create_client_user(container)
    await api.post("/auth/login", json={"username": user.email, "password": "not the password"})
    await login(api, user.email)
    async with scoped_session(container.sessions, NO_TENANT) as session:
        await open_cross_tenant(session, actor=Actor.system("tests"), reason="read audit")
        actions = (
            (
                await session.execute(
                    select(AuditRecord.action)
                    .where(AuditRecord.client_id == user.client_id)
                    .order_by(AuditRecord.seq)
                )
            )
            .scalars()
            .all()
        )
    assert "auth.login_failed" in actions
    assert actions[-1] == "auth.login"


async def test_guessing_from_one_address_is_throttled_with_retry_after(app_factory: AppFactory) -> None:
    app = app_factory(login_max_failures_per_account_address=3)
    user = await create_client_user(app.state.container)
    async with api_client(app, "198.51.100.7") as attacker:
        codes = [
            (
                await attacker.post("/auth/login", json={"username": user.email, "password": f"guess-{i}"})
            ).status_code
            for i in range(4)
        ]
        assert codes == [401, 401, 401, 429]
        blocked = await attacker.post("/auth/login", json={"username": user.email, "password": user.password})
        assert blocked.status_code == 429
        assert blocked.json()["error"]["code"] == "login_throttled"
        assert int(blocked.headers["Retry-After"]) > 0
    # The attacker's address is blocked, not the user: from elsewhere the right password works.
    async with api_client(app, "203.0.113.9") as owner:
        await login(owner, user.email)


async def test_account_wide_failures_are_capped_per_hour(app_factory: AppFactory) -> None:
    app = app_factory(login_max_failures_per_account_hour=5, login_max_failures_per_account_address=100)
    user = await create_client_user(app.state.container)
    for i in range(5):
        async with api_client(app, f"203.0.113.{i + 1}") as guesser:
            response = await guesser.post(
                "/auth/login", json={"username": user.email, "password": "wrong guess"}
            )
            assert response.status_code == 401
    async with api_client(app, "203.0.113.200") as another:
        response = await another.post("/auth/login", json={"username": user.email, "password": "wrong guess"})
    assert response.status_code == 429


async def test_one_address_spraying_many_accounts_is_throttled(app_factory: AppFactory) -> None:
    app = app_factory(login_max_failures_per_address=3)
    async with api_client(app, "198.51.100.77") as sprayer:
        codes = [
            (
                await sprayer.post("/auth/login", json={"username": f"u{i}@example.com", "password": "x"})
            ).status_code
            for i in range(4)
        ]
    assert codes == [401, 401, 401, 429]


async def test_a_successful_login_clears_the_address_counter(app_factory: AppFactory) -> None:
    app = app_factory(login_max_failures_per_account_address=3)
    user = await create_client_user(app.state.container)
    async with api_client(app) as api:
        for _ in range(2):
            await api.post("/auth/login", json={"username": user.email, "password": "typo"})
        await login(api, user.email)
        for _ in range(2):
            assert (
                await api.post("/auth/login", json={"username": user.email, "password": "typo"})
            ).status_code == 401


async def test_password_hash_is_upgraded_when_parameters_grow(app_factory: AppFactory) -> None:
    weak = app_factory()
    user = await create_client_user(weak.state.container)
    stronger: FastAPI = app_factory(password_hash_time_cost=3)
    container: Container = stronger.state.container
    async with api_client(stronger) as api:
        await login(api, user.email)
    async with scoped_session(container.sessions, NO_TENANT) as session:
        await open_cross_tenant(session, actor=Actor.system("tests"), reason="read hash")
        stored = await get_user_by_email(session, user.email)
    assert stored is not None
    assert "t=3" in stored.password_hash
    assert not container.passwords.needs_rehash(stored.password_hash)


async def test_inactive_user_cannot_log_in(api: httpx.AsyncClient, container: Container) -> None:
    user = await create_client_user(container)
    async with scoped_session(container.sessions, NO_TENANT) as session:
        await open_cross_tenant(session, actor=Actor.system("tests"), reason="deactivate")
        row = await get_user(session, user.user_id)
        assert row is not None
        row.is_active = False
    response = await api.post("/auth/login", json={"username": user.email, "password": user.password})
    assert response.status_code == 401


async def test_a_deactivated_user_s_live_token_reads_and_writes_nothing(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    headers = bearer((await login(api, user.email))["access_token"])
    base = f"/clients/{user.client_id}"
    assert (await api.get(f"{base}/positions", headers=headers)).status_code == 200
    async with scoped_session(container.sessions, NO_TENANT) as session:
        await open_cross_tenant(session, actor=Actor.system("tests"), reason="deactivate")
        row = await get_user(session, user.user_id)
        assert row is not None
        row.is_active = False
    # The read endpoints check the user in their own transaction; the others before theirs.
    for path in ("positions", "trades", "trades?status=filled", "agent/status"):
        response = await api.get(f"{base}/{path}", headers=headers)
        assert response.status_code == 401, (path, response.text)
        assert response.json()["error"]["code"] == "inactive_account"


async def test_access_token_reads_own_empty_positions(api: httpx.AsyncClient, container: Container) -> None:
    user = await create_client_user(container)
    tokens = await login(api, user.email)
    response = await api.get(f"/clients/{user.client_id}/positions", headers=bearer(tokens["access_token"]))
    assert response.status_code == 200
    assert response.json() == {"items": [], "total": 0, "limit": 50, "offset": 0}


async def test_me_names_the_user_and_their_client(api: httpx.AsyncClient, container: Container) -> None:
    user = await create_client_user(container, name="Acme Capital")
    tokens = await login(api, user.email)
    me = (await api.get("/auth/me", headers=bearer(tokens["access_token"]))).json()
    assert me == {
        "user_id": str(user.user_id),
        "email": user.email,
        "role": "client",
        "client_id": str(user.client_id),
        "client_name": "Acme Capital",
    }
    assert (await api.get("/auth/me")).status_code == 401
