"""Clients' broker endpoints reach only public addresses in production, unless an operator allows more."""

from __future__ import annotations

from typing import Any

import pytest

from backend.config import AppEnv, Settings
from backend.runtime.endpoint_guard import BrokerEndpointRefused, EndpointGuard, url_endpoint
from backend.tests.conftest import AppFactory, api_client, bearer, create_client_user, login

NOT_PUBLIC = [
    "127.0.0.1",
    "localhost",
    "10.1.2.3",
    "192.168.0.10",
    "169.254.169.254",
    "100.64.0.1",
    "::1",
    "0.0.0.0",  # noqa: S104 - a destination under test, not a bind
]


@pytest.mark.parametrize("host", NOT_PUBLIC)
async def test_addresses_outside_the_public_internet_are_refused(host: str) -> None:
    with pytest.raises(BrokerEndpointRefused) as refused:
        await EndpointGuard(allow_private=False).check(host, 4002)
    assert refused.value.code == "broker_endpoint_refused"
    assert refused.value.http_status == 422


async def test_public_addresses_and_what_the_operator_lists_are_allowed() -> None:
    await EndpointGuard(allow_private=False).check("8.8.8.8", 443)
    await EndpointGuard(allow_private=False).check("2001:4860:4860::8888", 443)
    listed = EndpointGuard(allow_private=False, allowed=["10.0.0.0/8", "Gateway.Internal."])
    await listed.check("10.1.2.3", 4002)
    await listed.check("gateway.internal", 4002)  # allowed by name: not even resolved
    with pytest.raises(BrokerEndpointRefused):
        await listed.check("192.168.0.10", 4002)
    await EndpointGuard(allow_private=True).check("127.0.0.1", 4002)


async def test_a_gateway_url_must_be_https_unless_the_operator_lists_it() -> None:
    guard = EndpointGuard(allow_private=False, allowed=["10.0.0.0/8", "poems.internal"])
    with pytest.raises(BrokerEndpointRefused, match="not an https address"):
        await guard.check_url("http://8.8.8.8/")
    await guard.check_url("https://8.8.8.8/")
    await guard.check_url("http://10.1.2.3:8080/")  # an operator's gateway on its own network
    await guard.check_url("http://poems.internal/")
    with pytest.raises(BrokerEndpointRefused, match="not a public address"):
        await guard.check_url("https://192.168.0.10/")
    await EndpointGuard(allow_private=True).check_url("http://127.0.0.1:9000/")


def test_a_urls_endpoint_is_its_host_and_port() -> None:
    assert url_endpoint("https://api.example.com/") == ("api.example.com", 443)
    assert url_endpoint("http://127.0.0.1:8080/root/") == ("127.0.0.1", 8080)
    with pytest.raises(BrokerEndpointRefused):
        url_endpoint("https:///no-host")


@pytest.mark.parametrize(
    ("env", "flag", "allowed"),
    [
        ("production", None, False),
        ("test", None, True),
        ("development", None, True),
        ("production", True, True),
    ],
)
def test_private_endpoints_are_refused_by_default_in_production_only(
    env: str, flag: bool | None, allowed: bool, base_settings: Settings
) -> None:
    values: dict[str, Any] = {
        **base_settings.model_dump(),
        "app_env": AppEnv(env),
        "broker_private_endpoints": flag,
    }
    assert Settings(_env_file=None, **values).private_broker_endpoints_allowed is allowed


async def test_a_client_cannot_save_try_or_authorise_a_broker_on_the_platforms_network(
    app_factory: AppFactory,
) -> None:
    app = app_factory(broker_private_endpoints=False)
    container = app.state.container
    user = await create_client_user(container)
    ibkr = {
        "kind": "ibkr",
        "credentials": {"host": "169.254.169.254", "port": 80, "client_id": 1, "account_code": "DU1234567"},
    }
    phillip = {
        "settings": {
            "base_url": "http://127.0.0.1:6379/",
            "client_id": "app",
            "redirect_uri": "https://x.example/cb",
        },
        "credentials": {"client_secret": "s", "api_key": "k"},
    }
    async with api_client(app) as api:
        headers = bearer((await login(api, user.email))["access_token"])
        base = f"/clients/{user.client_id}/broker"
        for method, path, body in (
            ("PUT", base, ibkr),
            ("POST", f"{base}/test", ibkr),
            ("POST", f"{base}/phillip/authorize", phillip),
        ):
            response = await api.request(method, path, headers=headers, json=body)
            assert response.status_code == 422, (path, response.text)
            assert response.json()["error"]["code"] == "broker_endpoint_refused", path
        # Nothing was saved: the client is still on the simulator.
        assert (await api.get(base, headers=headers)).json()["kind"] == "simulator"


async def test_an_operator_allowed_network_lets_a_private_gateway_be_saved(app_factory: AppFactory) -> None:
    app = app_factory(broker_private_endpoints=False, broker_allowed_endpoints=["127.0.0.0/8"])
    container = app.state.container
    user = await create_client_user(container)
    async with api_client(app) as api:
        headers = bearer((await login(api, user.email))["access_token"])
        saved = await api.put(
            f"/clients/{user.client_id}/broker",
            headers=headers,
            json={
                "kind": "ibkr",
                "credentials": {"host": "127.0.0.1", "port": 1, "client_id": 1, "account_code": "DU1234567"},
            },
        )
    assert saved.status_code == 200, saved.text
    assert saved.json()["kind"] == "ibkr"
