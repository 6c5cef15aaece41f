"""Who may open a stream, for how long, and what happens to a reader that cannot keep up."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from websockets.exceptions import ConnectionClosed, InvalidStatus

from backend.audit.service import Actor, open_cross_tenant
from backend.auth.repository import get_user
from backend.kit.container import Container
from backend.kit.db import NO_TENANT, scoped_session
from backend.models.user import ROLE_CLIENT
from backend.realtime.schemas import ChatMessageData
from backend.realtime.stream import CLOSE_ACCOUNT_DISABLED, CLOSE_CREDENTIAL_EXPIRED, CLOSE_TOO_SLOW
from backend.tests.conftest import (
    AppFactory,
    api_client,
    bearer,
    create_client_user,
    create_operator_user,
    login,
)
from backend.tests.realtime.helpers import (
    SOCKET_OPTIONS,
    events_until,
    next_message,
    open_stream,
    serving,
    signed_in,
    stalled_reader,
)


async def _token(api: httpx.AsyncClient, container: Container) -> tuple[str, str]:
    user, token = await signed_in(api, container)
    return str(user.client_id), token


async def _refusal(address: str, client_id: str, query: str, origin: str | None = None) -> int:
    with pytest.raises(InvalidStatus) as refused:
        async with open_stream(address, client_id, query=query, origin=origin):
            pass
    return refused.value.response.status_code


async def test_a_ticket_opens_one_stream_once(
    app: FastAPI, api: httpx.AsyncClient, container: Container
) -> None:
    client_id, token = await _token(api, container)
    response = await api.post(f"/clients/{client_id}/stream-ticket", headers=bearer(token))
    assert response.status_code == 201, response.text
    ticket = response.json()["ticket"]
    if container.redis is not None:
        # Only the ticket's hash is stored.
        assert ticket not in str(await container.redis.keys("*"))
    async with serving(app) as address:
        async with open_stream(address, client_id, query=f"ticket={ticket}") as socket:
            assert (await next_message(socket))["type"] == "hello"
        assert await _refusal(address, client_id, f"ticket={ticket}") == 401


async def test_a_ticket_expires_unused(app_factory: type, container: Container) -> None:
    app = app_factory(stream_ticket_seconds=0.3)
    async with api_client(app) as api:
        client_id, token = await _token(api, app.state.container)
        ticket = (await api.post(f"/clients/{client_id}/stream-ticket", headers=bearer(token))).json()[
            "ticket"
        ]
    await asyncio.sleep(0.6)
    async with serving(app) as address:
        assert await _refusal(address, client_id, f"ticket={ticket}") == 401


async def test_another_clients_stream_and_operators_and_bad_tokens_are_refused(
    app: FastAPI, api: httpx.AsyncClient, container: Container
) -> None:
    _, token = await _token(api, container)
    other_client, _ = await _token(api, container)
    email, password = await create_operator_user(container)
    operator = (await login(api, email, password))["access_token"]
    async with serving(app) as address:
        assert await _refusal(address, other_client, f"token={token}") == 404
        assert await _refusal(address, other_client, f"token={operator}") == 403
        assert await _refusal(address, other_client, "token=not-a-jwt") == 401
        assert await _refusal(address, other_client, "") == 401


async def test_an_origin_outside_the_allowlist_is_refused(
    app: FastAPI, api: httpx.AsyncClient, container: Container
) -> None:
    client_id, token = await _token(api, container)
    async with serving(app) as address:
        assert await _refusal(address, client_id, f"token={token}", origin="https://evil.example") == 403
        async with open_stream(
            address, client_id, query=f"token={token}", origin="http://localhost:5173"
        ) as ok:
            assert (await next_message(ok))["type"] == "hello"
        async with open_stream(
            address, client_id, query=f"token={token}", origin=f"http://{address}"
        ) as same:
            assert (await next_message(same))["type"] == "hello"


async def test_the_stream_closes_within_its_recheck_once_its_user_is_disabled(
    app_factory: AppFactory,
) -> None:
    recheck = 0.4
    app = app_factory(stream_recheck_seconds=recheck)
    container: Container = app.state.container
    async with api_client(app) as api:
        user, token = await signed_in(api, container)
    async with (
        serving(app) as address,
        open_stream(address, user.client_id, query=f"token={token}") as socket,
    ):
        await next_message(socket)
        async with scoped_session(container.sessions, NO_TENANT) as session:
            await open_cross_tenant(session, actor=Actor.system("tests"), reason="deactivate")
            row = await get_user(session, user.user_id)
            assert row is not None
            row.is_active = False
        disabled = time.monotonic()
        with pytest.raises(ConnectionClosed) as closed:
            await next_message(socket, within=5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == CLOSE_ACCOUNT_DISABLED
    # Each wait is a jittered half to whole re-check interval: the close comes within one of them.
    assert time.monotonic() - disabled < recheck + 1.0


async def test_signing_out_closes_the_sign_ins_streams_and_voids_its_unused_tickets(
    app_factory: AppFactory,
) -> None:
    recheck = 0.4
    app = app_factory(stream_recheck_seconds=recheck)
    container: Container = app.state.container
    user = await create_client_user(container)
    async with api_client(app) as api:
        tokens = await login(api, user.email)
        ticket = (
            await api.post(f"/clients/{user.client_id}/stream-ticket", headers=bearer(tokens["access_token"]))
        ).json()["ticket"]
        async with (
            serving(app) as address,
            open_stream(address, user.client_id, query=f"token={tokens['access_token']}") as socket,
        ):
            await next_message(socket)
            await api.post("/auth/logout", json={"refresh_token": tokens["refresh_token"]})
            signed_out = time.monotonic()
            with pytest.raises(ConnectionClosed) as closed:
                while (await next_message(socket, within=5))["type"] == "access.revoked":
                    pass  # announced to the client's readers, then this one is closed
            assert await _refusal(address, str(user.client_id), f"ticket={ticket}") == 401
    assert closed.value.rcvd is not None
    # The reader is told to sign in again (as for an expired credential), not that the account is gone.
    assert closed.value.rcvd.code == CLOSE_CREDENTIAL_EXPIRED
    assert time.monotonic() - signed_out < recheck + 1.0


@pytest.mark.parametrize("sockets", SOCKET_OPTIONS)
async def test_a_sign_out_closes_its_streams_at_once_and_leaves_the_users_other_sign_ins_open(
    app_factory: AppFactory, sockets: str
) -> None:
    # The periodic re-check is an hour away: only the revocation itself can close the stream in time.
    app = app_factory(stream_recheck_seconds=3600)
    container: Container = app.state.container
    user = await create_client_user(container)
    async with api_client(app) as api:
        leaving = await login(api, user.email)
        staying = await login(api, user.email)
        async with (
            serving(app, SOCKET_OPTIONS[sockets]) as address,
            open_stream(address, user.client_id, query=f"token={leaving['access_token']}") as ended,
            open_stream(address, user.client_id, query=f"token={staying['access_token']}") as kept,
        ):
            await next_message(ended)
            await next_message(kept)
            signed_out = time.monotonic()
            await api.post("/auth/logout", json={"refresh_token": leaving["refresh_token"]})
            messages = []
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    messages.append(await next_message(ended, within=5))
            took = time.monotonic() - signed_out
            # The other sign-in hears of it too, and stays open.
            revoked = await events_until(
                kept, lambda events: any(e["type"] == "access.revoked" for e in events)
            )
            assert revoked[-1]["data"] == {"user_id": str(user.user_id), "reason": "signed_out"}
            await asyncio.sleep(0.3)  # its own re-check, run on the event, found it still signed in
            assert (
                await api.get(f"/clients/{user.client_id}/positions", headers=bearer(staying["access_token"]))
            ).status_code == 200
            await kept.ping()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == CLOSE_CREDENTIAL_EXPIRED
    assert took < 2.0, took
    assert [m["type"] for m in messages if m["type"] != "heartbeat"] in ([], ["access.revoked"])


async def test_the_stream_closes_when_its_token_expires(
    app: FastAPI, api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    container.tokens.access_ttl = timedelta(seconds=2)
    token = container.tokens.issue_access(user.user_id, ROLE_CLIENT, user.client_id, session_id=uuid.uuid4())
    async with (
        serving(app) as address,
        open_stream(address, user.client_id, query=f"token={token}") as socket,
    ):
        hello = await next_message(socket)
        started = time.monotonic()
        with pytest.raises(ConnectionClosed) as closed:
            await next_message(socket, within=5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == CLOSE_CREDENTIAL_EXPIRED
    assert time.monotonic() - started < 3.5, hello


@pytest.mark.parametrize("sockets", SOCKET_OPTIONS)
async def test_a_slow_reader_is_dropped_and_a_fast_one_is_not_delayed(
    app_factory: type, sockets: str
) -> None:
    app = app_factory(stream_queue_size=16)
    container: Container = app.state.container
    async with api_client(app) as api:
        client_id, token = await _token(api, container)
    count, text = 300, "x" * 60_000  # 18 MB: far more than the socket buffers hold for a reader that stops
    loop = asyncio.get_running_loop()
    async with (
        serving(app, SOCKET_OPTIONS[sockets]) as address,
        stalled_reader(address, client_id, f"token={token}") as slow,
        open_stream(address, client_id, query=f"token={token}") as fast,
    ):
        await next_message(fast)
        started = time.monotonic()
        # The fast reader reads while events are published, as a live reader does.
        reading = asyncio.create_task(events_until(fast, lambda got: len(got) == count, within=20))
        for _ in range(count):
            container.events.publish(uuid.UUID(client_id), ChatMessageData(role="system", text=text))
            await asyncio.sleep(0.005)  # a steady stream a healthy reader keeps up with
        received = await reading
        fast_seconds = time.monotonic() - started
        assert [e["seq"] for e in received] == list(range(received[0]["seq"], received[0]["seq"] + count))
        async with asyncio.timeout(10):
            while container.events.hub.open_readers > 1:  # noqa: ASYNC110 - polling a count we do not own
                await asyncio.sleep(0.05)
            # Once the reader drains its socket, the last frame it finds is the close frame with the code.
            closing = CLOSE_TOO_SLOW.to_bytes(2, "big") + b"reader too slow; reconnect and replay"
            tail = b""
            while not tail.endswith(closing):
                chunk = await loop.sock_recv(slow, 1 << 20)
                assert chunk, f"the connection ended without the close frame: {tail!r}"
                tail = (tail + chunk)[-64:]
    assert fast_seconds < 10
