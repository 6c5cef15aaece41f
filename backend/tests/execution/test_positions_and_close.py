"""Positions at current marks with greeks, the portfolio's totals, and closing a position through approval."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import update

from backend.kit.container import Container
from backend.kit.db import TenantScope, scoped_session
from backend.models import Trade
from backend.models.base import utcnow
from backend.tests.conftest import bearer, create_client_user, login


async def _holding_spy(
    api: httpx.AsyncClient, base: str, headers: dict[str, str], quantity: int
) -> dict[str, Any]:
    """Buy `quantity` SPY a dollar over the ask (it fills) and return the one position it makes."""
    quote = (await api.get(f"{base}/market/quote?symbols=SPY", headers=headers)).json()["quotes"][0]
    ticket = {
        "legs": [{"sec_type": "stock", "symbol": "SPY", "side": "buy"}],
        "quantity": quantity,
        "limit_price": str(Decimal(quote["ask"]) + 1),
    }
    assert (await api.post(f"{base}/trades", headers=headers, json=ticket)).json()["status"] == "filled"
    (position,) = (await api.get(f"{base}/positions", headers=headers)).json()["items"]
    return dict(position)


async def test_positions_are_valued_closed_through_approval_and_the_pnl_realised(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    headers = bearer((await login(api, user.email))["access_token"])
    base = f"/clients/{user.client_id}"
    position = await _holding_spy(api, base, headers, 10)
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
    # Priced at this moment's natural price, it waits as long as the client lets a proposal wait.
    ttl = (await api.get(f"{base}/agent/parameters", headers=headers)).json()["parameters"][
        "proposal_ttl_seconds"
    ]
    waits = datetime.fromisoformat(closing["expires_at"]) - datetime.now(UTC)
    assert timedelta(seconds=ttl - 30) < waits <= timedelta(seconds=ttl)
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


async def test_a_close_proposal_left_past_its_time_cannot_be_approved(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    headers = bearer((await login(api, user.email))["access_token"])
    base = f"/clients/{user.client_id}"
    position = await _holding_spy(api, base, headers, 5)
    closing = (await api.post(f"{base}/positions/{position['id']}/close", headers=headers)).json()
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as db:
        await db.execute(
            update(Trade)
            .where(Trade.id == uuid.UUID(closing["id"]))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await db.commit()

    late = await api.post(f"{base}/agent/approve/{closing['id']}", headers=headers)

    assert late.status_code == 409, late.text
    assert late.json()["error"]["details"]["status"] == "expired"
    assert len((await api.get(f"{base}/positions", headers=headers)).json()["items"]) == 1
