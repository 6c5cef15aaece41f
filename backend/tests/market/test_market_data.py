"""Quotes and option chains through the client's broker."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import httpx
import numpy as np
import pytest

from backend.domain.option_math import bsm_greeks
from backend.kit.container import Container
from backend.tests.conftest import ClientUser, bearer, create_client_user, login


async def _signed_in(api: httpx.AsyncClient, container: Container) -> tuple[ClientUser, dict[str, str]]:
    user = await create_client_user(container)
    return user, bearer((await login(api, user.email))["access_token"])


async def test_quotes_come_back_in_order_two_sided_and_live(
    api: httpx.AsyncClient, container: Container
) -> None:
    user, headers = await _signed_in(api, container)
    response = await api.get(f"/clients/{user.client_id}/market/quote?symbols=spy,AAPL", headers=headers)
    assert response.status_code == 200, response.text
    quotes = response.json()["quotes"]
    assert [q["symbol"] for q in quotes] == ["SPY", "AAPL"]
    for quote in quotes:
        assert Decimal(quote["bid"]) <= Decimal(quote["mid"]) <= Decimal(quote["ask"])
        assert quote["data_source"] == "live"
        assert quote["ts"].endswith("Z") or quote["ts"].endswith("+00:00")


@pytest.mark.parametrize("symbols", ["", "SPY;DROP", ",".join(["A"] * 51), "toolongsymbolname"])
async def test_bad_symbol_lists_get_400(api: httpx.AsyncClient, container: Container, symbols: str) -> None:
    user, headers = await _signed_in(api, container)
    response = await api.get(
        f"/clients/{user.client_id}/market/quote", params={"symbols": symbols}, headers=headers
    )
    assert response.status_code in (400, 422)
    assert response.json()["error"]["code"] in ("invalid_symbols", "validation_error")


async def test_unknown_symbol_gets_404(api: httpx.AsyncClient, container: Container) -> None:
    user, headers = await _signed_in(api, container)
    response = await api.get(f"/clients/{user.client_id}/market/quote?symbols=ZZZZ", headers=headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_instrument"


async def test_chain_without_expiry_lists_expiries(api: httpx.AsyncClient, container: Container) -> None:
    user, headers = await _signed_in(api, container)
    body = (await api.get(f"/clients/{user.client_id}/market/chain?underlying=SPY", headers=headers)).json()
    assert body["multiplier"] == 100
    expiries = [date.fromisoformat(e) for e in body["expiries"]]
    assert expiries == sorted(expiries)
    assert len(expiries) >= 8


async def test_full_spy_chain_has_greeks_reproducible_from_its_inputs(
    api: httpx.AsyncClient, container: Container
) -> None:
    user, headers = await _signed_in(api, container)
    expiries = (
        await api.get(f"/clients/{user.client_id}/market/chain?underlying=SPY", headers=headers)
    ).json()
    expiry = expiries["expiries"][3]
    response = await api.get(
        f"/clients/{user.client_id}/market/chain?underlying=SPY&expiry={expiry}", headers=headers
    )
    assert response.status_code == 200, response.text
    chain = response.json()
    options = chain["options"]
    assert len(options) >= 100
    assert {o["right"] for o in options} == {"C", "P"}
    valued = [o for o in options if o["iv_status"] == "ok"]
    assert len(valued) >= 0.9 * len(options)
    for option in valued:
        assert 0.01 < option["iv"] < 3.0
        expected = bsm_greeks(
            float(option["underlying_price"]),
            float(option["strike"]),
            option["time_to_expiry_years"],
            float(option["rate"]),
            float(option["dividend_yield"]),
            option["iv"],
            option["right"] == "C",
        )
        for name in ("delta", "gamma", "vega", "theta", "rho"):
            assert option[name] == pytest.approx(
                float(np.asarray(getattr(expected, name))), rel=1e-9, abs=1e-12
            )
    assert chain["expires_at"].endswith("Z") or chain["expires_at"].endswith("+00:00")


async def test_unknown_expiry_gets_404_listing_the_real_ones(
    api: httpx.AsyncClient, container: Container
) -> None:
    user, headers = await _signed_in(api, container)
    response = await api.get(
        f"/clients/{user.client_id}/market/chain?underlying=SPY&expiry=2031-02-30", headers=headers
    )
    assert response.status_code == 422
    response = await api.get(
        f"/clients/{user.client_id}/market/chain?underlying=SPY&expiry=2030-01-02", headers=headers
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_expiry"
    assert response.json()["error"]["details"]["expiries"]


async def test_ready_reports_broker_sessions(api: httpx.AsyncClient, container: Container) -> None:
    user, headers = await _signed_in(api, container)
    await api.get(f"/clients/{user.client_id}/broker", headers=headers)
    ready = (await api.get("/health/ready")).json()
    assert ready["components"]["broker_sessions"]["detail"]["by_state"].get("connected", 0) >= 1
