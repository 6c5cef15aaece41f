"""The what-if option calculator."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend.kit.container import Container
from backend.tests.conftest import bearer, create_client_user, create_operator_user, login

ATM = {"spot": "100", "strike": "100", "years": "1", "rate": "0.05", "dividend_yield": "0", "right": "C"}


async def _headers(api: httpx.AsyncClient, container: Container) -> dict[str, str]:
    user = await create_client_user(container)
    return bearer((await login(api, user.email))["access_token"])


async def test_prices_the_textbook_call_from_a_volatility(
    api: httpx.AsyncClient, container: Container
) -> None:
    response = await api.post(
        "/market/option-calculator", json={**ATM, "volatility": "0.2"}, headers=await _headers(api, container)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    # Hull's example: S=K=100, T=1, r=5%, sigma=20% -> 10.4506.
    assert body["price"] == pytest.approx(10.450583572185565, rel=1e-12)
    assert body["greeks"]["delta"] == pytest.approx(0.6368306511756191, rel=1e-12)
    assert body["solved_for"] == "price"


async def test_implies_back_the_volatility_from_the_price(
    api: httpx.AsyncClient, container: Container
) -> None:
    response = await api.post(
        "/market/option-calculator",
        json={**ATM, "right": "P", "price": "5.573526022256971"},
        headers=await _headers(api, container),
    )
    assert response.status_code == 200, response.text
    assert response.json()["volatility"] == pytest.approx(0.2, rel=1e-12)
    assert response.json()["solved_for"] == "volatility"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"volatility": "0.2", "price": "10"}, None),
        ({}, None),
        ({"volatility": "-0.2"}, "volatility"),
        ({"volatility": "0.2", "spot": "0"}, "spot"),
        ({"volatility": "0.2", "right": "X"}, "right"),
    ],
)
async def test_bad_inputs_get_422(
    api: httpx.AsyncClient, container: Container, extra: dict[str, Any], field: str | None
) -> None:
    response = await api.post(
        "/market/option-calculator", json={**ATM, **extra}, headers=await _headers(api, container)
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    if field:
        assert error["details"][0]["loc"][-1] == field


async def test_price_below_intrinsic_gets_422_with_the_reason(
    api: httpx.AsyncClient, container: Container
) -> None:
    response = await api.post(
        "/market/option-calculator",
        json={**ATM, "spot": "150", "price": "1"},
        headers=await _headers(api, container),
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "no_implied_volatility"
    assert response.json()["error"]["details"]["reason"] == "below_intrinsic"


async def test_needs_a_signed_in_user_of_either_role(api: httpx.AsyncClient, container: Container) -> None:
    assert (await api.post("/market/option-calculator", json={**ATM, "volatility": "0.2"})).status_code == 401
    email, password = await create_operator_user(container)
    operator = bearer((await login(api, email, password))["access_token"])
    response = await api.post(
        "/market/option-calculator", json={**ATM, "volatility": "0.2"}, headers=operator
    )
    assert response.status_code == 200
