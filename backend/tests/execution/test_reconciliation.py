"""Our books follow the broker: events are booked as they come, and every (re)connect reconciles."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

from sqlalchemy import select

from backend.domain.instruments import Side, Stock
from backend.domain.orders import OrderRequest, OrderType
from backend.domain.values import Quantity
from backend.kit.container import Container
from backend.kit.db import TenantScope, scoped_session
from backend.models import Order, Position, Trade
from backend.runtime.broker_sessions import ManagedSession
from backend.tests.conftest import ClientUser, create_client_user


async def _connected(container: Container, user: ClientUser) -> ManagedSession:
    session = await container.brokers.session_for(user.client_id)
    assert await session.wait_connected(5.0)
    return session


async def _order_row(container: Container, client_id: uuid.UUID, status: str) -> str:
    """Write a trade and its order as the execution service does just before sending it."""
    client_order_id = f"gd-{uuid.uuid4().hex[:20]}"
    async with scoped_session(container.sessions, TenantScope.for_client(client_id)) as db:
        trade = Trade(
            client_id=client_id,
            status="approved",
            origin="user",
            underlying="SPY",
            quantity=3,
            order_type="market",
            time_in_force="DAY",
        )
        db.add(trade)
        await db.flush()
        db.add(
            Order(
                client_id=client_id,
                trade_id=trade.id,
                client_order_id=client_order_id,
                status=status,
                quantity=Decimal(3),
            )
        )
    return client_order_id


def _buy_spy(client_order_id: str) -> OrderRequest:
    return OrderRequest(client_order_id, Stock("SPY"), Side.BUY, Quantity(Decimal(3)), OrderType.MARKET)


async def _state(container: Container, client_id: uuid.UUID) -> tuple[str, str, Decimal]:
    async with scoped_session(container.sessions, TenantScope.for_client(client_id)) as db:
        order = (await db.execute(select(Order).where(Order.client_id == client_id))).scalar_one()
        trade = (await db.execute(select(Trade).where(Trade.id == order.trade_id))).scalar_one()
        held = (
            await db.execute(select(Position.quantity).where(Position.client_id == client_id))
        ).scalar_one_or_none()
        return order.status, trade.status, held or Decimal(0)


async def test_a_crash_before_the_ack_ends_with_one_order_and_the_brokers_positions(
    container: Container,
) -> None:
    user = await create_client_user(container)
    session = await _connected(container, user)
    client_order_id = await _order_row(container, user.client_id, "unknown")
    # The order reached the broker, but the process died before booking the answer.
    await session.broker.place_order(_buy_spy(client_order_id))
    checked = await container.order_sync.reconcile(user.client_id, session.broker)
    assert checked == 1
    assert await _state(container, user.client_id) == ("filled", "filled", Decimal(3))
    broker_positions = {p.instrument.key: p.quantity for p in await session.broker.positions()}
    assert broker_positions == {"SPY": Decimal(3)}, "one order at the broker, not a resend"


async def test_an_order_the_broker_never_received_is_booked_as_not_sent(container: Container) -> None:
    user = await create_client_user(container)
    session = await _connected(container, user)
    await _order_row(container, user.client_id, "pending_submit")
    await container.order_sync.reconcile(user.client_id, session.broker)
    assert await _state(container, user.client_id) == ("rejected", "rejected", Decimal(0))
    assert await session.broker.positions() == []


async def test_fills_reported_after_sending_reach_the_books_through_the_event_stream(
    container: Container,
) -> None:
    user = await create_client_user(container)
    session = await _connected(container, user)
    client_order_id = await _order_row(container, user.client_id, "submitted")
    await session.broker.place_order(_buy_spy(client_order_id))
    async with asyncio.timeout(5):
        while (await _state(container, user.client_id))[0] != "filled":  # noqa: ASYNC110 - the consumer books asynchronously
            await asyncio.sleep(0.05)
    assert await _state(container, user.client_id) == ("filled", "filled", Decimal(3))
