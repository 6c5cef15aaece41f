"""Cancelling trades, and a global halt under a stream of proposals."""

from __future__ import annotations

import asyncio
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select

from backend.domain.orders import OrderStatus
from backend.kit.container import Container
from backend.kit.db import TenantScope, scoped_session
from backend.models import Order, Trade
from backend.models.base import utcnow
from backend.tests.conftest import ClientUser, bearer, create_client_user, create_operator_user, login
from backend.tests.execution.helpers import agent_proposal


async def _client(
    api: httpx.AsyncClient, container: Container
) -> tuple[ClientUser, dict[str, str], Decimal, Decimal]:
    user = await create_client_user(container)
    headers = bearer((await login(api, user.email))["access_token"])
    quote = (await api.get(f"/clients/{user.client_id}/market/quote?symbols=SPY", headers=headers)).json()[
        "quotes"
    ][0]
    return user, headers, Decimal(quote["bid"]), Decimal(quote["ask"])


def _buy(quantity: int, limit: Decimal) -> dict[str, Any]:
    return {
        "legs": [{"sec_type": "stock", "symbol": "SPY", "side": "buy"}],
        "quantity": quantity,
        "limit_price": str(limit.quantize(Decimal("0.01"))),
    }


async def test_cancel_withdraws_a_pending_trade_and_cancels_a_resting_order(
    api: httpx.AsyncClient, container: Container
) -> None:
    user, headers, bid, ask = await _client(api, container)
    base = f"/clients/{user.client_id}/trades"
    pending = await agent_proposal(container, user.client_id, _buy(1, ask))
    withdrawn = await api.post(f"{base}/{pending.id}/cancel", headers=headers)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "cancelled"

    resting = (await api.post(base, headers=headers, json=_buy(1, bid * Decimal("0.96")))).json()
    assert resting["status"] == "submitted"
    cancelled = (await api.post(f"{base}/{resting['id']}/cancel", headers=headers)).json()
    assert cancelled["status"] == "cancelled"
    session = container.brokers.registry.get(user.client_id)
    assert session is not None
    state = await session.broker.order_status(resting["orders"][0]["client_order_id"])
    assert state.status is OrderStatus.CANCELLED

    again = await api.post(f"{base}/{resting['id']}/cancel", headers=headers)
    assert again.status_code == 409
    assert again.json()["error"]["details"]["status"] == "cancelled"


async def test_no_order_follows_a_global_halt_under_a_stream_of_proposals(
    api: httpx.AsyncClient, container: Container
) -> None:
    user, headers, _, ask = await _client(api, container)
    email, password = await create_operator_user(container)
    operator = bearer((await login(api, email, password))["access_token"])
    halted_at: list[datetime] = []

    async def stream() -> None:
        after_halt = 0
        for _ in range(200):  # bounded: stops three proposals after the halt
            await api.post(f"/clients/{user.client_id}/trades", headers=headers, json=_buy(1, ask + 1))
            after_halt += bool(halted_at)
            if after_halt >= 3:
                return

    async def halt() -> None:
        await asyncio.sleep(0.3)
        response = await api.post(
            "/admin/trading-halt",
            headers=operator,
            json={"scope": "global", "state": "HALTED", "reason": "drill"},
        )
        assert response.status_code == 200, response.text
        halted_at.append(utcnow())

    try:
        await asyncio.gather(stream(), halt())
    finally:
        resumed = await api.post(
            "/admin/trading-halt",
            headers=operator,
            json={"scope": "global", "state": "ACTIVE", "reason": "drill over"},
        )
        assert resumed.status_code == 200
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as db:
        trades = (await db.execute(select(Trade).where(Trade.client_id == user.client_id))).scalars().all()
        orders = (await db.execute(select(Order).where(Order.client_id == user.client_id))).scalars().all()
    late = [t for t in trades if t.created_at > halted_at[0]]
    assert late, "some proposals arrived after the halt"
    assert all(t.status == "denied" for t in late)
    assert all(o.created_at <= halted_at[0] for o in orders), (
        "no order was written after the halt took effect"
    )
