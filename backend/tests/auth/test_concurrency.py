"""Many people signing in and out at once: every request answers, and every audit chain still verifies."""

from __future__ import annotations

import asyncio

import httpx

from backend.audit.service import Actor, open_cross_tenant, verify_chains
from backend.kit.container import Container
from backend.kit.db import NO_TENANT, scoped_session
from backend.tests.conftest import create_client_user


async def test_concurrent_sign_ins_and_sign_outs_all_succeed(
    api: httpx.AsyncClient, container: Container
) -> None:
    users = [await create_client_user(container) for _ in range(6)]

    async def churn(index: int) -> list[int]:
        codes = []
        for _ in range(5):
            signed_in = await api.post(
                "/auth/login", json={"username": users[index].email, "password": users[index].password}
            )
            codes.append(signed_in.status_code)
            signed_out = await api.post(
                "/auth/logout", json={"refresh_token": signed_in.json()["refresh_token"]}
            )
            codes.append(signed_out.status_code)
        return codes

    results = await asyncio.gather(*(churn(i) for i in range(len(users))))
    assert {code for codes in results for code in codes} == {200, 204}
    async with scoped_session(container.sessions, NO_TENANT) as session:
        await open_cross_tenant(session, actor=Actor.system("tests"), reason="verify")
        assert await verify_chains(session) == []
