"""OAuth onboarding, token refresh, pacing and the one-use order token, against the stand-in over loopback."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from backend.brokers.errors import BrokerAuthFailed, InvalidOrder
from backend.brokers.phillip import PhillipBroker, PhillipOAuth, PhillipTokens, states_match
from backend.brokers.phillip.client import PoemsClient
from backend.brokers.phillip.orders import order_form
from backend.brokers.phillip.parsing import check_result
from backend.domain.instruments import Side, Stock
from backend.domain.orders import OrderRequest
from backend.domain.values import NetPrice, Quantity
from backend.tests.brokers.phillip.conftest import REDIRECT_URI, StandIn, create_fake, serve


def test_authorise_url_carries_client_redirect_state_and_pkce(stand_in: StandIn) -> None:
    oauth = PhillipOAuth(stand_in.settings(use_pkce=True), stand_in.secrets)
    request = oauth.authorization_request(state="s-1")
    parts = urlsplit(request.url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert parts.path.endswith("/auth/1.0/oauth/authorize")
    assert query["response_type"] == "code"
    assert query["redirect_uri"] == REDIRECT_URI
    assert query["state"] == "s-1"
    assert query["code_challenge_method"] == "S256"
    assert request.code_verifier
    assert states_match("s-1", "s-1")
    assert not states_match("s-1", "s-2")
    assert not states_match("s-1", None)


async def test_code_exchange_with_pkce_returns_tokens_naming_the_account(stand_in: StandIn) -> None:
    username = await stand_in.new_user()
    tokens = await stand_in.grant(username, stand_in.settings(use_pkce=True))
    assert tokens.account_no == stand_in.fake.account(username).account_no
    assert tokens.refresh_token is not None


async def test_a_used_authorisation_code_is_refused(stand_in: StandIn) -> None:
    username = await stand_in.new_user()
    async with httpx.AsyncClient(timeout=5) as http:
        oauth = PhillipOAuth(stand_in.settings(), stand_in.secrets, http)
        request = oauth.authorization_request()
        response = await http.get(f"{request.url}&username={username}")
        code = parse_qs(urlsplit(response.headers["location"]).query)["code"][0]
        await oauth.exchange_code(code)
        with pytest.raises(BrokerAuthFailed, match="invalid_grant"):
            await oauth.exchange_code(code)


async def test_an_expired_access_token_is_refreshed_before_the_call(stand_in: StandIn) -> None:
    username = await stand_in.new_user()
    tokens = await stand_in.grant(username)
    stale = tokens.model_copy(update={"expires_at": datetime.now(UTC) - timedelta(seconds=1)})
    saved: list[PhillipTokens] = []

    async def store(new: PhillipTokens) -> None:
        saved.append(new)

    broker = PhillipBroker(stand_in.settings(), stand_in.secrets, stale, on_tokens=store)
    await broker.connect()
    try:
        assert broker.client.refreshes == 1
        assert saved
        assert saved[-1].access_token != tokens.access_token
    finally:
        await broker.close()


async def test_a_401_refreshes_once_and_repeats_the_call(stand_in: StandIn) -> None:
    broker = await stand_in.broker()
    await broker.connect()
    try:
        stand_in.fake.auth.expire_access_tokens()
        summary = await broker.account_summary()
        assert summary.cash.currency == "SGD"
        assert broker.client.refreshes == 1
    finally:
        await broker.close()


async def test_a_revoked_refresh_token_fails_the_session_with_auth_failed(stand_in: StandIn) -> None:
    broker = await stand_in.broker()
    await broker.connect()
    try:
        stand_in.fake.auth.expire_access_tokens()
        stand_in.fake.auth.revoke_refresh_tokens()
        with pytest.raises(BrokerAuthFailed, match="invalid_grant"):
            await broker.positions()
    finally:
        await broker.close()


async def test_a_burst_over_the_gateway_limit_is_paced_by_backoff_and_completes() -> None:
    async with serve(create_fake(rate_per_second=10.0, burst=4)) as small:
        broker = await small.broker()
        await broker.connect()
        try:
            await broker.resolve_instrument(Stock("D05"))
            results = await asyncio.gather(*(broker.quotes([Stock("D05")]) for _ in range(6)))
            assert all(quote.bid is not None for (quote,) in results)
            assert small.fake.limiter.refused > 0
        finally:
            await broker.close()


async def test_the_validate_token_submits_once_and_is_refused_the_second_time(stand_in: StandIn) -> None:
    username = await stand_in.new_user()
    settings = stand_in.settings()
    client = PoemsClient(settings, stand_in.secrets, await stand_in.grant(username, settings))
    try:
        request = OrderRequest(
            "single-use", Stock("D05"), Side.BUY, Quantity.of(100), limit_price=NetPrice(Decimal(30))
        )
        form = order_form("ST/SG/SGX/DBS.SG", request, settlement_currency="SGD", payment_mode="C")
        token = (await client.post_safe("st/trade/validate", form))["authToken"]
        first = await client.post_once("st/trade/submit", form, headers={"authToken": token})
        assert check_result(first)["orderNo"]
        with pytest.raises(InvalidOrder, match="2006"):
            await client.post_once("st/trade/submit", form, headers={"authToken": token}, client_order_id="x")
        assert stand_in.fake.account(username).used_token_refusals == 1
    finally:
        await client.aclose()
