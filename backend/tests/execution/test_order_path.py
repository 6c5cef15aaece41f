"""The one order path end to end on the simulator: gate, decide once, write, send once, book fills."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import func, select, update

from backend.execution.fills import record_executions
from backend.kit.container import Container
from backend.kit.db import TenantScope, scoped_session
from backend.models import Fill, Order, Position, Trade, TradingState
from backend.models.base import utcnow
from backend.tests.conftest import ClientUser, bearer, create_client_user, login
from backend.tests.execution.helpers import agent_proposal


async def _client(api: httpx.AsyncClient, container: Container) -> tuple[ClientUser, dict[str, str]]:
    user = await create_client_user(container)
    return user, bearer((await login(api, user.email))["access_token"])


async def _spy_ask(api: httpx.AsyncClient, user: ClientUser, headers: dict[str, str]) -> Decimal:
    quote = (await api.get(f"/clients/{user.client_id}/market/quote?symbols=SPY", headers=headers)).json()
    return Decimal(quote["quotes"][0]["ask"])


def _buy_spy(quantity: int, limit: Decimal) -> dict[str, Any]:
    return {
        "legs": [{"sec_type": "stock", "symbol": "SPY", "side": "buy"}],
        "quantity": quantity,
        "order_type": "limit",
        "limit_price": str(limit),
    }


async def _count(container: Container, client_id: uuid.UUID, model: Any) -> int:
    async with scoped_session(container.sessions, TenantScope.for_client(client_id)) as db:
        total = await db.execute(select(func.count()).select_from(model).where(model.client_id == client_id))
        return int(total.scalar_one())


async def test_a_marketable_ticket_fills_and_books_the_position(
    api: httpx.AsyncClient, container: Container
) -> None:
    user, headers = await _client(api, container)
    ask = await _spy_ask(api, user, headers)
    response = await api.post(
        f"/clients/{user.client_id}/trades", headers=headers, json=_buy_spy(10, ask + 1)
    )
    assert response.status_code == 201, response.text
    trade = response.json()
    assert trade["status"] == "filled", trade
    assert len(trade["orders"]) == 1
    assert trade["orders"][0]["client_order_id"].startswith("gd-")
    assert sum(Decimal(f["quantity"]) for f in trade["fills"]) == 10
    positions = (await api.get(f"/clients/{user.client_id}/positions", headers=headers)).json()["items"]
    assert [(p["symbol"], Decimal(p["quantity"])) for p in positions] == [("SPY", Decimal(10))]
    assert Decimal(positions[0]["average_cost"]) <= ask + 1


async def test_a_denied_ticket_is_kept_with_every_reason(
    api: httpx.AsyncClient, container: Container
) -> None:
    user, headers = await _client(api, container)
    ask = await _spy_ask(api, user, headers)
    # Far outside the price collar and over the notional limit at once.
    response = await api.post(
        f"/clients/{user.client_id}/trades", headers=headers, json=_buy_spy(500, ask * 2)
    )
    assert response.status_code == 201, response.text
    trade = response.json()
    assert trade["status"] == "denied"
    codes = {d["code"] for d in trade["denial_reasons"]}
    assert len(codes) >= 2, codes
    assert trade["orders"] == []
    assert await _count(container, user.client_id, Order) == 0


async def test_a_bad_ticket_gets_422_and_stores_nothing(api: httpx.AsyncClient, container: Container) -> None:
    user, headers = await _client(api, container)
    bad = {
        "legs": [{"sec_type": "option", "symbol": "SPY", "side": "sell"}],
        "quantity": 1,
        "limit_price": "-1",
    }
    assert (await api.post(f"/clients/{user.client_id}/trades", headers=headers, json=bad)).status_code == 422
    wrong_sign = _buy_spy(1, Decimal("-5"))
    response = await api.post(f"/clients/{user.client_id}/trades", headers=headers, json=wrong_sign)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_ticket"
    assert await _count(container, user.client_id, Trade) == 0


async def test_ten_concurrent_approvals_send_one_order(api: httpx.AsyncClient, container: Container) -> None:
    user, headers = await _client(api, container)
    ask = await _spy_ask(api, user, headers)
    trade = await agent_proposal(container, user.client_id, _buy_spy(5, ask + 1))
    assert trade.status == "pending_approval", trade.denial_reasons
    trade_id = trade.id
    responses = await asyncio.gather(
        *(api.post(f"/clients/{user.client_id}/agent/approve/{trade_id}", headers=headers) for _ in range(10))
    )
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses if r.status_code != 200]
    assert await _count(container, user.client_id, Order) == 1
    session = container.brokers.registry.get(user.client_id)
    assert session is not None
    held = {p.instrument.key: p.quantity for p in await session.broker.positions()}
    assert held == {"SPY": Decimal(5)}, "the broker saw exactly one order"


async def test_an_idempotency_key_repeat_returns_the_first_trade(
    api: httpx.AsyncClient, container: Container
) -> None:
    user, headers = await _client(api, container)
    ask = await _spy_ask(api, user, headers)
    key = {"Idempotency-Key": f"ticket-{uuid.uuid4().hex}"}
    first = await api.post(
        f"/clients/{user.client_id}/trades", headers={**headers, **key}, json=_buy_spy(3, ask + 1)
    )
    again = await api.post(
        f"/clients/{user.client_id}/trades", headers={**headers, **key}, json=_buy_spy(3, ask + 1)
    )
    assert first.json()["id"] == again.json()["id"]
    assert await _count(container, user.client_id, Order) == 1


async def test_a_rejected_trade_cannot_be_approved_and_rejecting_again_is_harmless(
    api: httpx.AsyncClient, container: Container
) -> None:
    user, headers = await _client(api, container)
    ask = await _spy_ask(api, user, headers)
    trade = await agent_proposal(container, user.client_id, _buy_spy(1, ask))
    base = f"/clients/{user.client_id}/agent"
    assert (
        await api.post(f"{base}/reject/{trade.id}", headers=headers, json={"reason": "not now"})
    ).status_code == 200
    assert (await api.post(f"{base}/reject/{trade.id}", headers=headers)).status_code == 200
    conflict = await api.post(f"{base}/approve/{trade.id}", headers=headers)
    assert conflict.status_code == 409
    assert conflict.json()["error"]["details"]["status"] == "rejected"
    assert await _count(container, user.client_id, Order) == 0


async def test_an_expired_proposal_cannot_be_approved(api: httpx.AsyncClient, container: Container) -> None:
    user, headers = await _client(api, container)
    ask = await _spy_ask(api, user, headers)
    trade = await agent_proposal(
        container, user.client_id, _buy_spy(1, ask), expires_at=utcnow() - timedelta(seconds=1)
    )
    response = await api.post(f"/clients/{user.client_id}/agent/approve/{trade.id}", headers=headers)
    assert response.status_code == 409
    assert response.json()["error"]["details"]["status"] == "expired"


async def test_a_client_halt_denies_new_tickets(api: httpx.AsyncClient, container: Container) -> None:
    user, headers = await _client(api, container)
    ask = await _spy_ask(api, user, headers)
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as db:
        await db.execute(
            update(TradingState).where(TradingState.scope == str(user.client_id)).values(state="HALTED")
        )
    trade = (
        await api.post(f"/clients/{user.client_id}/trades", headers=headers, json=_buy_spy(1, ask))
    ).json()
    assert trade["status"] == "denied"
    assert "trading_halted" in {d["code"] for d in trade["denial_reasons"]}


async def test_duplicated_executions_leave_positions_unchanged(
    api: httpx.AsyncClient, container: Container
) -> None:
    user, headers = await _client(api, container)
    ask = await _spy_ask(api, user, headers)
    trade = (
        await api.post(f"/clients/{user.client_id}/trades", headers=headers, json=_buy_spy(4, ask + 1))
    ).json()
    session = container.brokers.registry.get(user.client_id)
    assert session is not None
    state = await session.broker.order_status(trade["orders"][0]["client_order_id"])
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as db:
        order = (await db.execute(select(Order).where(Order.client_id == user.client_id))).scalar_one()
        # The same executions again, then in reverse order: nothing new is booked.
        assert await record_executions(db, order, state.request, state.executions) == 0
        assert await record_executions(db, order, state.request, tuple(reversed(state.executions))) == 0
        position = (
            await db.execute(select(Position).where(Position.client_id == user.client_id))
        ).scalar_one()
        assert position.quantity == Decimal(4)
    assert await _count(container, user.client_id, Fill) == len(trade["fills"])


async def test_concurrent_tickets_with_one_idempotency_key_store_one_trade(
    api: httpx.AsyncClient, container: Container
) -> None:
    user, headers = await _client(api, container)
    ask = await _spy_ask(api, user, headers)
    keyed = {**headers, "Idempotency-Key": f"ticket-{uuid.uuid4().hex}"}
    answers = await asyncio.gather(
        *(
            api.post(f"/clients/{user.client_id}/trades", headers=keyed, json=_buy_spy(3, ask + 1))
            for _ in range(2)
        )
    )
    # The later request gets the first one's trade: as it stands (201), or a 409 when its approval
    # meets the first's; never a 500 from the key's unique constraint.
    assert sorted(a.status_code for a in answers) in ([201, 201], [201, 409]), [a.text for a in answers]
    assert len({a.json()["id"] for a in answers if a.status_code == 201}) == 1
    assert await _count(container, user.client_id, Trade) == 1
    assert await _count(container, user.client_id, Order) == 1
