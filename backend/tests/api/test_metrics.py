"""GET /metrics: Prometheus text that counts requests by route template, orders, denials and sessions."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import httpx
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from backend.kit.container import Container
from backend.tests.conftest import AppFactory, ClientUser, api_client, bearer, create_client_user, login

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
POSITIONS_ROUTE = "/clients/{client_id}/positions"
LATENCY_COUNT = "greekdesk_http_request_duration_seconds_count"


async def scrape(api: httpx.AsyncClient, headers: dict[str, str] | None = None) -> tuple[str, Samples]:
    """Fetch /metrics and index every sample by name and labels."""
    response = await api.get("/metrics", headers=headers or {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return response.text, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    """Return one sample's value, 0 when the series does not exist yet."""
    return samples.get((name, frozenset(labels.items())), 0.0)


async def signed_in(api: httpx.AsyncClient, container: Container) -> tuple[ClientUser, dict[str, str]]:
    """Create a client user and return it with its bearer header."""
    user = await create_client_user(container)
    return user, bearer((await login(api, user.email))["access_token"])


def buy_spy(quantity: int, limit: Decimal) -> dict[str, Any]:
    """A stock ticket for SPY."""
    return {
        "legs": [{"sec_type": "stock", "symbol": "SPY", "side": "buy"}],
        "quantity": quantity,
        "order_type": "limit",
        "limit_price": str(limit),
    }


async def test_latency_is_labelled_by_route_template_and_never_by_raw_path_or_tenant(
    api: httpx.AsyncClient, container: Container
) -> None:
    user, headers = await signed_in(api, container)
    _, before = await scrape(api)
    for _ in range(3):
        assert (await api.get(f"/clients/{user.client_id}/positions", headers=headers)).status_code == 200
    stranger = uuid.uuid4()
    assert (await api.get(f"/clients/{stranger}/positions", headers=headers)).status_code == 404
    # Under an API segment, so the web app's catch-all route never serves it.
    assert (await api.get(f"/clients/{stranger}/no-such-page")).status_code == 404
    text, after = await scrape(api)

    ok = {"method": "GET", "route": POSITIONS_ROUTE, "status_class": "2xx"}
    missing = {**ok, "status_class": "4xx"}
    assert value(after, LATENCY_COUNT, **ok) - value(before, LATENCY_COUNT, **ok) == 3
    assert value(after, LATENCY_COUNT, **missing) - value(before, LATENCY_COUNT, **missing) == 1
    routes = {dict(labels).get("route") for name, labels in after if name == LATENCY_COUNT}
    assert all(route == "unmatched" or route.startswith("/") for route in routes if route)
    assert "unmatched" in routes
    # No raw path, client id or email reaches a label.
    for secret in (str(user.client_id), str(stranger), user.email, "no-such-page"):
        assert secret not in text


async def test_an_order_and_a_denial_are_counted_with_the_broker_session(
    api: httpx.AsyncClient, container: Container
) -> None:
    user, headers = await signed_in(api, container)
    quote = (await api.get(f"/clients/{user.client_id}/market/quote?symbols=SPY", headers=headers)).json()
    ask = Decimal(quote["quotes"][0]["ask"])
    _, before = await scrape(api)

    filled = await api.post(f"/clients/{user.client_id}/trades", headers=headers, json=buy_spy(2, ask + 1))
    assert filled.json()["status"] == "filled", filled.text
    # Far outside the price collar and over the notional limit at once.
    denied = await api.post(f"/clients/{user.client_id}/trades", headers=headers, json=buy_spy(500, ask * 2))
    reasons = denied.json()["denial_reasons"]
    assert denied.json()["status"] == "denied"
    assert len(reasons) >= 2
    _, after = await scrape(api)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("greekdesk_orders_total", outcome="submitted") == 1
    assert delta("greekdesk_orders_total", outcome="filled") == 1
    assert delta("greekdesk_orders_total", outcome="rejected") == 0
    expected: dict[tuple[str, str], int] = {}
    for reason in reasons:
        key = (reason["rule"], reason["code"])
        expected[key] = expected.get(key, 0) + 1
    for (rule, code), count in expected.items():
        assert delta("greekdesk_gate_denials_total", rule=rule, code=code) == count, (rule, code)
    assert value(after, "greekdesk_broker_sessions", broker="simulator", state="connected") >= 1
    # One series per state, never one per client.
    states = {dict(labels)["state"] for name, labels in after if name == "greekdesk_broker_sessions"}
    assert states == {"disconnected", "connecting", "connected", "failed"}


async def test_the_metrics_defined_for_sockets_events_and_leases_are_exposed(api: httpx.AsyncClient) -> None:
    text, samples = await scrape(api)
    assert ("greekdesk_ws_open_sockets", frozenset()) in samples
    assert ("greekdesk_client_leases", frozenset()) in samples
    assert ("greekdesk_event_lag_seconds_count", frozenset()) in samples
    assert "# HELP greekdesk_orders_total" in text
    assert ("greekdesk_orders_total", frozenset({("outcome", "not_sent")})) in samples


async def test_a_metrics_token_requires_that_bearer(app_factory: AppFactory) -> None:
    token = "metrics-" + uuid.uuid4().hex
    app: FastAPI = app_factory(metrics_token=token)
    async with api_client(app) as api:
        missing = await api.get("/metrics")
        assert missing.status_code == 401
        assert missing.json()["error"]["code"] == "metrics_token_required"
        assert missing.headers["www-authenticate"] == "Bearer"
        wrong = await api.get("/metrics", headers=bearer(token + "x"))
        assert wrong.status_code == 401
        await scrape(api, bearer(token))


async def test_a_blank_metrics_token_leaves_the_endpoint_open(app_factory: AppFactory) -> None:
    app: FastAPI = app_factory(metrics_token="  ")
    async with api_client(app) as api:
        await scrape(api)
