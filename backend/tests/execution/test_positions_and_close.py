"""Positions at current marks with greeks, the portfolio's totals, and closing a position through approval."""

from __future__ import annotations

from decimal import Decimal

import httpx

from backend.kit.container import Container
from backend.tests.conftest import bearer, create_client_user, login


async def test_positions_are_valued_closed_through_approval_and_the_pnl_realised(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    headers = bearer((await login(api, user.email))["access_token"])
    base = f"/clients/{user.client_id}"
    quote = (await api.get(f"{base}/market/quote?symbols=SPY", headers=headers)).json()["quotes"][0]
    ticket = {
        "legs": [{"sec_type": "stock", "symbol": "SPY", "side": "buy"}],
        "quantity": 10,
        "limit_price": str(Decimal(quote["ask"]) + 1),
    }
    assert (await api.post(f"{base}/trades", headers=headers, json=ticket)).json()["status"] == "filled"

    (position,) = (await api.get(f"{base}/positions", headers=headers)).json()["items"]
    mark = Decimal(position["mark"])
    assert Decimal(position["market_value"]) == mark * 10
    assert Decimal(position["unrealized_pnl"]) == (mark - Decimal(position["average_cost"])) * 10
    assert position["delta"] == 10.0
    book = (await api.get(f"{base}/portfolio", headers=headers)).json()
    assert book["positions"] == book["valued"] == 1
    assert book["delta"] == 10.0

    proposed = await api.post(f"{base}/positions/{position['id']}/close", headers=headers)
    assert proposed.status_code == 201, proposed.text
    closing = proposed.json()
    assert closing["status"] == "pending_approval", closing["denial_reasons"]
    assert closing["legs"][0]["side"] == "sell"
    assert closing["quantity"] == 10
    assert Decimal(closing["limit_price"]) < 0, "selling to close is a credit"
    approved = (await api.post(f"{base}/agent/approve/{closing['id']}", headers=headers)).json()
    assert approved["status"] == "filled", approved
    assert (await api.get(f"{base}/positions", headers=headers)).json()["items"] == []
    after = (await api.get(f"{base}/portfolio", headers=headers)).json()
    assert after["positions"] == 0
    # Bought at the ask, sold at the bid: the spread is a realised loss.
    assert Decimal(after["realized_pnl"]) < 0


async def test_an_option_position_carries_its_greeks(api: httpx.AsyncClient, container: Container) -> None:
    user = await create_client_user(container)
    headers = bearer((await login(api, user.email))["access_token"])
    base = f"/clients/{user.client_id}"
    expiry = (await api.get(f"{base}/market/chain?underlying=SPY", headers=headers)).json()["expiries"][3]
    chain = (await api.get(f"{base}/market/chain?underlying=SPY&expiry={expiry}", headers=headers)).json()
    spot = Decimal(chain["underlying_price"])
    call = min(
        (o for o in chain["options"] if o["right"] == "C" and o["ask"]),
        key=lambda o: abs(Decimal(o["strike"]) - spot),
    )
    ticket = {
        "legs": [
            {
                "sec_type": "option",
                "symbol": "SPY",
                "side": "buy",
                "expiry": expiry,
                "strike": call["strike"],
                "right": "C",
            }
        ],
        "quantity": 1,
        # Marketable even if the quote moves before the order lands (prices step every few seconds).
        "limit_price": str((Decimal(call["ask"]) * Decimal("1.05")).quantize(Decimal("0.01"))),
    }
    trade = (await api.post(f"{base}/trades", headers=headers, json=ticket)).json()
    assert trade["status"] == "filled", trade["denial_reasons"]
    (position,) = (await api.get(f"{base}/positions", headers=headers)).json()["items"]
    assert position["multiplier"] == 100
    assert 20.0 < position["delta"] < 80.0, "an at-the-money call: about 50 shares of delta"
    assert position["vega"] > 0
    assert position["theta"] < 0


async def test_closing_an_unknown_position_is_404(api: httpx.AsyncClient, container: Container) -> None:
    user = await create_client_user(container)
    headers = bearer((await login(api, user.email))["access_token"])
    response = await api.post(
        f"/clients/{user.client_id}/positions/00000000-0000-0000-0000-000000000001/close", headers=headers
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "position_not_found"
