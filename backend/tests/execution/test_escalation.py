"""Automatic stops: daily loss and repeated order-rate breaches tighten trading; only an operator resumes."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import update

from backend.brokers.simulator.clock import SimulatedClock
from backend.kit.container import Container
from backend.kit.db import TenantScope, scoped_session
from backend.models import AgentSettings
from backend.tests.conftest import AppFactory, ClientUser, api_client, bearer, create_client_user, login

START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # a Tuesday, 10:00 in New York: the market is open


async def _with_limits(container: Container, **risk: Any) -> tuple[ClientUser, dict[str, Any]]:
    user = await create_client_user(container)
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as db:
        await db.execute(
            update(AgentSettings)
            .where(AgentSettings.client_id == user.client_id)
            .values(parameters={"risk": risk})
        )
    return user, {}


def _ticket(side: str, quantity: int, limit: Decimal) -> dict[str, Any]:
    signed = limit if side == "buy" else -limit
    return {
        "legs": [{"sec_type": "stock", "symbol": "SPY", "side": side}],
        "quantity": quantity,
        "limit_price": str(signed.quantize(Decimal("0.01"))),
    }


async def test_a_daily_loss_breach_moves_the_client_to_reducing(app_factory: AppFactory) -> None:
    # The market stands still between the two orders: on the live clock a rise in between could
    # turn the first order's loss at the mid into a gain, and the second order would fill.
    app = app_factory(clock=SimulatedClock(START))
    container: Container = app.state.container
    async with api_client(app) as api:
        await _breach_daily_loss(api, container)


async def _breach_daily_loss(api: httpx.AsyncClient, container: Container) -> None:
    user, _ = await _with_limits(container, max_daily_loss="1")
    headers = bearer((await login(api, user.email))["access_token"])
    base = f"/clients/{user.client_id}"
    quote = (await api.get(f"{base}/market/quote?symbols=SPY", headers=headers)).json()["quotes"][0]
    bought = (
        await api.post(f"{base}/trades", headers=headers, json=_ticket("buy", 100, Decimal(quote["ask"]) + 1))
    ).json()
    assert bought["status"] == "filled", bought["denial_reasons"]
    # Paying the ask and the commission is a small loss at the mid: more than the $1 allowed.
    more = (
        await api.post(f"{base}/trades", headers=headers, json=_ticket("buy", 1, Decimal(quote["ask"]) + 1))
    ).json()
    assert more["status"] == "denied"
    assert "daily_loss" in {d["rule"] for d in more["denial_reasons"]}
    state = (await api.get(f"{base}/trading-state", headers=headers)).json()
    assert state["effective"] == "REDUCING"
    # Reducing is still allowed: selling what is held.
    bid = Decimal(
        (await api.get(f"{base}/market/quote?symbols=SPY", headers=headers)).json()["quotes"][0]["bid"]
    )
    sold = (await api.post(f"{base}/trades", headers=headers, json=_ticket("sell", 100, bid - 1))).json()
    assert sold["status"] == "filled", sold["denial_reasons"]


async def test_repeated_order_rate_breaches_move_the_client_to_reducing(
    api: httpx.AsyncClient, container: Container
) -> None:
    user, _ = await _with_limits(container, max_orders_per_minute=1)
    headers = bearer((await login(api, user.email))["access_token"])
    base = f"/clients/{user.client_id}"
    ask = Decimal(
        (await api.get(f"{base}/market/quote?symbols=SPY", headers=headers)).json()["quotes"][0]["ask"]
    )
    statuses = [
        (await api.post(f"{base}/trades", headers=headers, json=_ticket("buy", 1, ask + 1))).json()["status"]
        for _ in range(4)
    ]
    assert statuses[0] == "filled"
    assert statuses[1:] == ["denied"] * 3
    assert (await api.get(f"{base}/trading-state", headers=headers)).json()["effective"] == "REDUCING"
