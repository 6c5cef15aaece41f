"""A client onboarded to Phillip through the OAuth flow against the stand-in trades through our API (issue 5's done-when)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select

from backend.broker_accounts.phillip_oauth import KIND
from backend.brokers.phillip import PhillipBroker, PhillipCredentials
from backend.brokers.phillip.client import PoemsClient
from backend.brokers.phillip.fake_poems import FakePoems, FakePoemsConfig
from backend.brokers.phillip.orders import order_form
from backend.credentials.service import load_credentials, revealed
from backend.domain.instruments import Side, Stock
from backend.domain.orders import OrderRequest
from backend.domain.values import NetPrice, Quantity
from backend.kit.container import Container
from backend.kit.db import TenantScope, scoped_session
from backend.models import BrokerAccount, BrokerOAuthState, DayBaseline, Order, Trade
from backend.models.base import utcnow
from backend.tests.brokers.phillip.conftest import REDIRECT_URI, StandIn, serve
from backend.tests.conftest import bearer, create_client_user, login
from backend.tests.factories import create_stock_order

FILL_WAIT_SECONDS = 10.0


@pytest.fixture(scope="module")
async def stand_in() -> AsyncIterator[StandIn]:
    """The POEMS stand-in on a free loopback port, on the wall clock and always open."""
    # Wall clock, as `greekdesk dev fake-poems` runs: our gate compares quote times with the real time.
    config = FakePoemsConfig(
        redirect_uris=(REDIRECT_URI,), rate_per_second=500.0, burst=1000, always_open=True
    )
    async with serve(FakePoems(config)) as running:
        yield running


def authorize_body(stand_in: StandIn) -> dict[str, Any]:
    """Return an authorise request for the stand-in's registered app, polling fast."""
    settings = stand_in.settings().model_dump(mode="json")
    secrets = {"client_secret": stand_in.fake.config.client_secret, "api_key": stand_in.fake.config.api_key}
    return {"settings": settings, "credentials": secrets}


async def signed_in(api: httpx.AsyncClient, container: Container) -> tuple[uuid.UUID, dict[str, str]]:
    """Create a client user and return its client id and auth headers."""
    user = await create_client_user(container)
    return user.client_id, bearer((await login(api, user.email))["access_token"])


async def consent(stand_in: StandIn, authorize_url: str, username: str) -> dict[str, str]:
    """Follow the authorise URL as the user's browser would; return the redirect's query."""
    async with httpx.AsyncClient(timeout=5.0) as browser:
        response = await browser.get(f"{authorize_url}&{urlencode({'username': username})}")
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT_URI)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def onboard(
    api: httpx.AsyncClient, stand_in: StandIn, client_id: uuid.UUID, headers: dict[str, str]
) -> tuple[str, httpx.Response]:
    """Run the whole flow for a fresh stand-in user; return the username and the callback's response."""
    username = await stand_in.new_user()
    started = await api.post(
        f"/clients/{client_id}/broker/phillip/authorize", headers=headers, json=authorize_body(stand_in)
    )
    assert started.status_code == 200, started.text
    redirect = await consent(stand_in, started.json()["authorize_url"], username)
    assert redirect["state"] == started.json()["state"]
    callback = await api.get(
        f"/clients/{client_id}/broker/phillip/callback", headers=headers, params=redirect
    )
    return username, callback


async def stored_credentials(container: Container, client_id: uuid.UUID) -> PhillipCredentials:
    """Open the client's sealed broker credentials."""
    async with scoped_session(container.sessions, TenantScope.for_client(client_id)) as db:
        account = (
            await db.execute(select(BrokerAccount).where(BrokerAccount.client_id == client_id))
        ).scalar_one()
        return PhillipCredentials.model_validate(load_credentials(container.cipher, account))


async def test_client_onboarded_through_oauth_sees_quotes_and_account_and_an_order_fills_once(
    api: httpx.AsyncClient, container: Container, stand_in: StandIn
) -> None:
    client_id, headers = await signed_in(api, container)
    base = f"/clients/{client_id}"
    username, callback = await onboard(api, stand_in, client_id, headers)

    assert callback.status_code == 200, callback.text
    status = callback.json()
    account_no = stand_in.fake.account(username).account_no
    assert (status["kind"], status["state"], status["has_credentials"]) == (KIND, "connected", True)
    assert status["capabilities"]["options"] is False
    assert status["capabilities"]["market_orders"] is False
    assert status["capabilities"]["exchange_timezone"] == "Asia/Singapore"
    assert status["account"]["account_id"] == account_no
    assert status["account"]["currency"] == "SGD"
    assert Decimal(status["account"]["cash"]) == stand_in.fake.config.starting_cash
    assert "client_secret" not in callback.text
    assert stand_in.fake.config.client_secret not in callback.text
    assert (await api.get(f"{base}/broker", headers=headers)).json()["kind"] == KIND

    quotes = (await api.get(f"{base}/market/quote?symbols=D05", headers=headers)).json()["quotes"]
    bid, ask = Decimal(quotes[0]["bid"]), Decimal(quotes[0]["ask"])
    assert Decimal(0) < bid <= ask

    # Marketable, on SGX's 0.01 tick above 1.00, in one board lot of 100.
    limit = ask.quantize(Decimal("0.01"), rounding=ROUND_CEILING)
    entered = await buy_d05(api, base, headers, limit)
    assert entered.status_code == 201, entered.text
    trade = entered.json()
    assert trade["status"] in {"submitted", "partially_filled", "filled"}, trade["denial_reasons"]
    trade = await until_filled(api, f"{base}/trades/{trade['id']}", headers)
    assert trade["status"] == "filled", trade
    assert len(stand_in.fake.account(username).orders) == 1, "the order reached the stand-in once"

    positions = (await api.get(f"{base}/positions", headers=headers)).json()["items"]
    assert [(p["symbol"], Decimal(p["quantity"])) for p in positions] == [("D05", Decimal(100))]
    # The daily loss limit counts over SGX's trading day, not New York's.
    async with scoped_session(container.sessions, TenantScope.for_client(client_id)) as db:
        days = (await db.execute(select(DayBaseline.day).where(DayBaseline.client_id == client_id))).scalars()
        assert list(days) == [utcnow().astimezone(ZoneInfo("Asia/Singapore")).date()]
    held = await stand_in.fake.account(username).broker.positions()
    assert [(p.instrument.key, p.quantity) for p in held] == [("D05", Decimal(100))]


async def test_a_trade_whose_submit_went_unanswered_is_found_at_poems_and_filled_once(
    api: httpx.AsyncClient, container: Container, stand_in: StandIn
) -> None:
    client_id, headers = await signed_in(api, container)
    base = f"/clients/{client_id}"
    username = await stand_in.new_user()
    body = authorize_body(stand_in)
    body["settings"]["request_timeout"] = 0.5
    started = await api.post(f"{base}/broker/phillip/authorize", headers=headers, json=body)
    redirect = await consent(stand_in, started.json()["authorize_url"], username)
    assert (
        await api.get(f"{base}/broker/phillip/callback", headers=headers, params=redirect)
    ).status_code == 200
    quotes = (await api.get(f"{base}/market/quote?symbols=D05", headers=headers)).json()["quotes"]
    limit = Decimal(quotes[0]["ask"]).quantize(Decimal("0.01"), rounding=ROUND_CEILING)
    stand_in.fake.submit_answer_delay = 1.5  # POEMS places it; its answer comes after we stop waiting
    try:
        entered = await buy_d05(api, base, headers, limit)
    finally:
        stand_in.fake.submit_answer_delay = 0.0
    assert entered.status_code == 201, entered.text
    assert entered.json()["status"] == "unknown", entered.json()
    trade = await until_filled(api, f"{base}/trades/{entered.json()['id']}", headers)
    assert trade["status"] == "filled", trade
    (order_no,) = stand_in.fake.account(username).orders  # placed once, never resent
    assert [order["broker_order_id"] for order in trade["orders"]] == [order_no]
    positions = (await api.get(f"{base}/positions", headers=headers)).json()["items"]
    assert [(p["symbol"], Decimal(p["quantity"])) for p in positions] == [("D05", Decimal(100))]


async def test_reconciliation_finds_an_order_a_dead_worker_sent_without_hearing_back(
    api: httpx.AsyncClient, container: Container, stand_in: StandIn
) -> None:
    client_id, headers = await signed_in(api, container)
    username, callback = await onboard(api, stand_in, client_id, headers)
    assert callback.status_code == 200, callback.text
    quotes = (await api.get(f"/clients/{client_id}/market/quote?symbols=D05", headers=headers)).json()[
        "quotes"
    ]
    limit = (Decimal(quotes[0]["bid"]) * Decimal("0.96")).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
    # What a worker leaves when it dies after its submit reached POEMS and before the answer came back:
    # our order booked `unknown`, with no POEMS order number, and the order resting at POEMS.
    client_order_id = await create_stock_order(
        container,
        client_id,
        symbol="D05",
        quantity=100,
        order_status="unknown",
        trade_status="unknown",
        limit_price=limit,
    )
    settings = stand_in.settings()
    poems = PoemsClient(settings, stand_in.secrets, await stand_in.grant(username, settings))
    try:
        request = OrderRequest(
            client_order_id, Stock("D05"), Side.BUY, Quantity.of(100), limit_price=NetPrice(limit)
        )
        form = order_form("ST/SG/SGX/DBS.SG", request, settlement_currency="SGD", payment_mode="C")
        token = (await poems.post_safe("st/trade/validate", form))["authToken"]
        await poems.post_once("st/trade/submit", form, headers={"authToken": token})
    finally:
        await poems.aclose()
    (order_no,) = stand_in.fake.account(username).orders
    session = await container.brokers.session_for(client_id)  # this worker's session never sent it
    await container.order_sync.reconcile(client_id, session.broker)
    async with scoped_session(container.sessions, TenantScope.for_client(client_id)) as db:
        order = (await db.execute(select(Order).where(Order.client_order_id == client_order_id))).scalar_one()
        trade = (await db.execute(select(Trade).where(Trade.id == order.trade_id))).scalar_one()
    assert (order.broker_order_id, order.status, trade.status) == (order_no, "acknowledged", "submitted")


async def test_an_order_sent_before_a_takeover_is_followed_and_cancelled_by_the_new_session(
    api: httpx.AsyncClient, container: Container, stand_in: StandIn
) -> None:
    client_id, headers = await signed_in(api, container)
    base = f"/clients/{client_id}"
    username, callback = await onboard(api, stand_in, client_id, headers)
    assert callback.status_code == 200, callback.text
    quotes = (await api.get(f"{base}/market/quote?symbols=D05", headers=headers)).json()["quotes"]
    # Below the bid (within the gate's collar): it rests at POEMS rather than fills.
    limit = (Decimal(quotes[0]["bid"]) * Decimal("0.96")).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
    entered = await buy_d05(api, base, headers, limit)
    assert entered.status_code == 201, entered.text
    assert entered.json()["status"] == "submitted", entered.json()
    # A new adapter, as on the worker that takes the client over: it never sent this order.
    await container.brokers.rebuild(client_id)
    cancelled = await api.post(f"{base}/trades/{entered.json()['id']}/cancel", headers=headers)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    (order_no,) = stand_in.fake.account(username).orders
    today = (await stand_in.fake.account(username).today())["orders"]
    assert [(item["orderNo"], item["status"]) for item in today if item["orderNo"] == order_no]
    assert all(item["status"] in {"WD", "CN", "CA"} for item in today)


async def buy_d05(
    api: httpx.AsyncClient, base: str, headers: dict[str, str], limit: Decimal
) -> httpx.Response:
    """Enter a buy of one board lot (100) of D05 at `limit` through our API."""
    return await api.post(
        f"{base}/trades",
        headers=headers,
        json={
            "legs": [{"sec_type": "stock", "symbol": "D05", "side": "buy"}],
            "quantity": 100,
            "limit_price": str(limit),
        },
    )


async def until_filled(api: httpx.AsyncClient, url: str, headers: dict[str, str]) -> dict[str, Any]:
    """Poll a trade until it is filled (POEMS reports fills by polling) or the wait runs out."""
    async with asyncio.timeout(FILL_WAIT_SECONDS):
        while True:
            trade: dict[str, Any] = (await api.get(url, headers=headers)).json()
            if trade["status"] not in {"submitted", "partially_filled", "unknown"}:
                return trade
            await asyncio.sleep(0.1)


async def test_a_refreshed_grant_is_resealed_on_the_broker_account(
    api: httpx.AsyncClient, container: Container, stand_in: StandIn
) -> None:
    client_id, headers = await signed_in(api, container)
    username, callback = await onboard(api, stand_in, client_id, headers)
    assert callback.json()["state"] == "connected", callback.text
    before = await stored_credentials(container, client_id)

    stand_in.fake.auth.expire_access_tokens(username)
    quoted = await api.get(f"/clients/{client_id}/market/quote?symbols=D05", headers=headers)

    assert quoted.status_code == 200, quoted.text
    after = await stored_credentials(container, client_id)
    broker = (await container.brokers.session_for(client_id)).broker
    assert isinstance(broker, PhillipBroker)
    assert after.tokens.access_token != before.tokens.access_token
    assert after.tokens.access_token == broker.client.tokens.access_token
    assert after.tokens.refresh_token == broker.client.tokens.refresh_token
    assert after.app == before.app


async def test_a_callback_state_is_single_use(
    api: httpx.AsyncClient, container: Container, stand_in: StandIn
) -> None:
    client_id, headers = await signed_in(api, container)
    _, callback = await onboard(api, stand_in, client_id, headers)
    assert callback.status_code == 200, callback.text

    again = await api.get(
        f"/clients/{client_id}/broker/phillip/callback",
        headers=headers,
        params=callback.request.url.params,
    )

    assert again.status_code == 400, again.text
    assert again.json()["error"]["code"] == "invalid_oauth_state"


async def test_an_expired_state_is_refused_and_the_broker_is_unchanged(
    api: httpx.AsyncClient, container: Container, stand_in: StandIn
) -> None:
    client_id, headers = await signed_in(api, container)
    username = await stand_in.new_user()
    started = await api.post(
        f"/clients/{client_id}/broker/phillip/authorize", headers=headers, json=authorize_body(stand_in)
    )
    redirect = await consent(stand_in, started.json()["authorize_url"], username)
    await age_attempts(container, client_id, by=timedelta(minutes=11))

    late = await api.get(f"/clients/{client_id}/broker/phillip/callback", headers=headers, params=redirect)

    assert late.status_code == 400, late.text
    assert late.json()["error"]["code"] == "invalid_oauth_state"
    assert "expired" in late.json()["error"]["message"]
    assert (await api.get(f"/clients/{client_id}/broker", headers=headers)).json()["kind"] == "simulator"


async def age_attempts(container: Container, client_id: uuid.UUID, *, by: timedelta) -> None:
    """Move the client's pending attempts into the past (re-inserted: the app may not update them)."""
    async with scoped_session(container.sessions, TenantScope.for_client(client_id)) as db:
        rows = (
            (await db.execute(select(BrokerOAuthState).where(BrokerOAuthState.client_id == client_id)))
            .scalars()
            .all()
        )
        copies = [
            BrokerOAuthState(
                client_id=row.client_id,
                kind=row.kind,
                state_digest=row.state_digest,
                payload_ciphertext=row.payload_ciphertext,
                key_version=row.key_version,
                expires_at=row.expires_at - by,
                created_at=row.created_at - by,
            )
            for row in rows
        ]
        for row in rows:
            await db.delete(row)
        await db.flush()
        db.add_all(copies)
    assert all(copy.expires_at < utcnow() for copy in copies)


async def test_another_clients_state_is_refused(
    api: httpx.AsyncClient, container: Container, stand_in: StandIn
) -> None:
    owner_id, owner_headers = await signed_in(api, container)
    other_id, other_headers = await signed_in(api, container)
    started = await api.post(
        f"/clients/{owner_id}/broker/phillip/authorize", headers=owner_headers, json=authorize_body(stand_in)
    )
    redirect = await consent(stand_in, started.json()["authorize_url"], await stand_in.new_user())

    stolen = await api.get(
        f"/clients/{other_id}/broker/phillip/callback", headers=other_headers, params=redirect
    )

    assert stolen.status_code == 400, stolen.text
    assert stolen.json()["error"]["code"] == "invalid_oauth_state"


async def test_an_unknown_code_is_refused_with_the_brokers_message(
    api: httpx.AsyncClient, container: Container, stand_in: StandIn
) -> None:
    client_id, headers = await signed_in(api, container)
    started = await api.post(
        f"/clients/{client_id}/broker/phillip/authorize", headers=headers, json=authorize_body(stand_in)
    )

    refused = await api.get(
        f"/clients/{client_id}/broker/phillip/callback",
        headers=headers,
        params={"code": "not-a-code", "state": started.json()["state"]},
    )

    assert refused.status_code == 502, refused.text
    error = refused.json()["error"]
    assert error["code"] == "broker_auth_failed"
    assert "invalid_grant" in error["message"]
    assert (await api.get(f"/clients/{client_id}/broker", headers=headers)).json()["kind"] == "simulator"


async def test_a_declined_authorisation_is_reported_and_spends_the_state(
    api: httpx.AsyncClient, container: Container, stand_in: StandIn
) -> None:
    client_id, headers = await signed_in(api, container)
    started = await api.post(
        f"/clients/{client_id}/broker/phillip/authorize", headers=headers, json=authorize_body(stand_in)
    )
    params = {"error": "access_denied", "error_description": "user said no", "state": started.json()["state"]}
    url = f"/clients/{client_id}/broker/phillip/callback"

    declined = await api.get(url, headers=headers, params=params)
    again = await api.get(url, headers=headers, params=params)

    assert declined.status_code == 400, declined.text
    assert declined.json()["error"]["code"] == "oauth_denied"
    assert "user said no" in declined.json()["error"]["message"]
    assert again.json()["error"]["code"] == "invalid_oauth_state"


async def test_authorize_validates_settings_and_secrets_per_field(
    api: httpx.AsyncClient, container: Container, stand_in: StandIn
) -> None:
    client_id, headers = await signed_in(api, container)
    body = authorize_body(stand_in)
    body["settings"]["client_id"] = ""
    del body["credentials"]["api_key"]

    response = await api.post(f"/clients/{client_id}/broker/phillip/authorize", headers=headers, json=body)

    assert response.status_code == 422
    fields = {tuple(d["loc"][-2:]) for d in response.json()["error"]["details"]}
    assert ("settings", "client_id") in fields
    assert ("credentials", "api_key") in fields
    assert stand_in.fake.config.client_secret not in response.text


async def test_an_operator_holding_a_grant_can_put_phillip_directly(
    api: httpx.AsyncClient, container: Container, stand_in: StandIn
) -> None:
    client_id, headers = await signed_in(api, container)
    username = await stand_in.new_user()
    tokens = await stand_in.grant(username)
    credentials = PhillipCredentials(app=stand_in.secrets, tokens=tokens)

    saved = await api.put(
        f"/clients/{client_id}/broker",
        headers=headers,
        json={
            "kind": KIND,
            "settings": stand_in.settings().model_dump(mode="json"),
            "credentials": revealed(credentials),
        },
    )

    assert saved.status_code == 200, saved.text
    assert saved.json()["state"] == "connected", saved.json()
    assert saved.json()["account"]["account_id"] == stand_in.fake.account(username).account_no
    assert (await stored_credentials(container, client_id)) == credentials


async def test_an_option_ticket_is_denied_with_the_brokers_missing_capability(
    api: httpx.AsyncClient, container: Container, stand_in: StandIn
) -> None:
    client_id, headers = await signed_in(api, container)
    _, callback = await onboard(api, stand_in, client_id, headers)
    assert callback.json()["capabilities"]["options"] is False
    ticket = {
        "legs": [
            {
                "sec_type": "option",
                "symbol": "D05",
                "side": "buy",
                "expiry": "2030-01-18",
                "strike": "40",
                "right": "C",
            }
        ],
        "quantity": 1,
        "limit_price": "1.00",
    }
    response = await api.post(f"/clients/{client_id}/trades", headers=headers, json=ticket)
    assert response.status_code == 201, response.text
    trade = response.json()
    assert trade["status"] == "denied"
    reasons = {d["code"]: d["message"] for d in trade["denial_reasons"]}
    assert reasons["options_not_supported"] == "Your broker cannot trade options"
    assert trade["orders"] == []
