"""Our books follow the broker: events are booked as they come, and every (re)connect reconciles."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from backend.audit.service import Actor
from backend.brokers.errors import BrokerTimeout
from backend.domain.instruments import Side, Stock
from backend.domain.orders import OrderRequest, OrderType
from backend.domain.values import Quantity
from backend.kit.container import Container
from backend.kit.db import TenantScope, scoped_session
from backend.models import AuditRecord, Order, Position, Trade
from backend.models.base import utcnow
from backend.runtime.broker_sessions import ManagedSession
from backend.tests.conftest import AppFactory, ClientUser, create_client_user
from backend.tests.execution.helpers import AnswerBeforeFill, SendHeld, agent_proposal
from backend.tests.factories import create_stock_order


async def _connected(container: Container, user: ClientUser) -> ManagedSession:
    session = await container.brokers.session_for(user.client_id)
    assert await session.wait_connected(5.0)
    return session


async def _order_row(
    container: Container, client_id: uuid.UUID, status: str, age: timedelta = timedelta(minutes=2)
) -> str:
    """Write a trade and its order as the execution service does just before sending it, `age` ago."""
    return await create_stock_order(
        container, client_id, symbol="SPY", quantity=3, order_status=status, written_at=utcnow() - age
    )


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


async def test_an_unsent_order_younger_than_a_forwarded_send_is_left_for_a_later_pass(
    container: Container,
) -> None:
    user = await create_client_user(container)
    session = await _connected(container, user)
    # Written by an API process a moment ago: a worker may still pick up its forwarded send.
    await _order_row(container, user.client_id, "pending_submit", age=timedelta(seconds=5))
    await container.order_sync.reconcile(user.client_id, session.broker)
    assert (await _state(container, user.client_id))[:2] == ("pending_submit", "approved")
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as db:
        order = (await db.execute(select(Order).where(Order.client_id == user.client_id))).scalar_one()
        # Past the forwarding timeout and its margin, no worker starts it any more.
        order.created_at = utcnow() - timedelta(seconds=container.settings.remote_call_timeout_seconds + 31)
        await db.commit()
    await container.order_sync.reconcile(user.client_id, session.broker)
    assert await _state(container, user.client_id) == ("rejected", "rejected", Decimal(0))


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


async def _marketable_spy_buy(container: Container, user: ClientUser, broker: Any) -> Trade:
    """Propose buying 3 SPY a dollar over the ask, as the agent would: it fills when sent."""
    ask = (await broker.quotes([Stock("SPY")]))[0].ask
    assert ask is not None
    return await agent_proposal(
        container,
        user.client_id,
        {
            "legs": [{"sec_type": "stock", "symbol": "SPY", "side": "buy"}],
            "quantity": 3,
            "limit_price": str(ask.value + 1),
        },
    )


class _AckLost:
    """The client's real adapter, except that a placed order's answer is lost on the way back."""

    def __init__(self, broker: Any) -> None:
        self._broker = broker
        self.placed = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._broker, name)

    async def place_order(self, request: OrderRequest) -> Any:
        self.placed += 1
        await self._broker.place_order(request)
        raise BrokerTimeout("no answer from the venue", ambiguous=True)


async def test_a_lost_acknowledgement_makes_the_order_unknown_then_reconciles_without_resending(
    container: Container,
) -> None:
    user = await create_client_user(container)
    session = await _connected(container, user)
    real = session.broker
    flaky = _AckLost(real)
    session.broker = flaky
    proposed = await _marketable_spy_buy(container, user, real)
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as db:
        trade = await container.execution.approve(db, user.client_id, proposed.id, Actor("user", "u"))
        assert trade.status == "unknown"
    session.broker = real
    await container.order_sync.reconcile(user.client_id, real)
    assert await _state(container, user.client_id) == ("filled", "filled", Decimal(3))
    assert flaky.placed == 1, "an order whose outcome was unknown was never sent again"


async def test_periodic_reconciliation_resolves_orders_without_a_reconnect(app_factory: AppFactory) -> None:
    app = app_factory(reconcile_interval_seconds=1)
    container: Container = app.state.container
    user = await create_client_user(container)
    await _connected(container, user)
    # Written after the connect-time pass, and the broker never heard of it.
    await _order_row(container, user.client_id, "pending_submit")
    container.order_sync.start()
    async with asyncio.timeout(5):
        while (await _state(container, user.client_id))[0] != "rejected":  # noqa: ASYNC110 - the loop books on its interval
            await asyncio.sleep(0.1)
    assert await _state(container, user.client_id) == ("rejected", "rejected", Decimal(0))


async def test_reconciliation_during_a_send_leaves_the_order_to_the_sender(container: Container) -> None:
    user = await create_client_user(container)
    session = await _connected(container, user)
    real = session.broker
    held = SendHeld(real)
    session.broker = held
    proposed = await _marketable_spy_buy(container, user, real)

    async def approve() -> str:
        async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as db:
            trade = await container.execution.approve(db, user.client_id, proposed.id, Actor("user", "u"))
            return trade.status

    approving = asyncio.create_task(approve())
    await asyncio.wait_for(held.sending.wait(), 5)
    # Committed and on its way, not yet at the broker: the broker's "unknown order" is not "never sent".
    await container.order_sync.reconcile(user.client_id, real)
    assert (await _state(container, user.client_id))[:2] == ("pending_submit", "approved")
    held.arrive.set()
    assert await asyncio.wait_for(approving, 5) == "filled"
    assert await _state(container, user.client_id) == ("filled", "filled", Decimal(3))
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as db:
        actions = set(
            (
                await db.execute(select(AuditRecord.action).where(AuditRecord.client_id == user.client_id))
            ).scalars()
        )
    assert "order.not_sent" not in actions
    assert {"trade.approved", "order.submitted"} <= actions


async def _actions(container: Container, client_id: uuid.UUID) -> list[str]:
    async with scoped_session(container.sessions, TenantScope.for_client(client_id)) as db:
        rows = await db.execute(
            select(AuditRecord.action).where(AuditRecord.client_id == client_id).order_by(AuditRecord.seq)
        )
        return list(rows.scalars())


async def test_an_order_its_sender_booked_is_not_booked_again_from_its_events(container: Container) -> None:
    user = await create_client_user(container)
    session = await _connected(container, user)
    proposed = await _marketable_spy_buy(container, user, session.broker)
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as db:
        trade = await container.execution.approve(db, user.client_id, proposed.id, Actor("user", "u"))
    assert trade.status == "filled"
    # The simulator reported the acknowledgement and the fill while the sender was booking its answer.
    await asyncio.sleep(0.5)
    actions = await _actions(container, user.client_id)
    assert actions.count("order.submitted") == 1
    assert "order.updated" not in actions, "the events' consumer booked the sender's answer a second time"
    assert await _state(container, user.client_id) == ("filled", "filled", Decimal(3))


async def test_a_fill_reported_during_its_send_is_booked_once_the_send_ends(container: Container) -> None:
    user = await create_client_user(container)
    session = await _connected(container, user)
    real = session.broker
    session.broker = AnswerBeforeFill(real)
    proposed = await _marketable_spy_buy(container, user, real)
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as db:
        trade = await container.execution.approve(db, user.client_id, proposed.id, Actor("user", "u"))
    assert trade.status == "submitted", "the sender booked the answer it had, from before the fill"
    async with asyncio.timeout(5):
        while (await _state(container, user.client_id))[0] != "filled":  # noqa: ASYNC110 - booked by a follow-up task
            await asyncio.sleep(0.05)
    assert await _state(container, user.client_id) == ("filled", "filled", Decimal(3))
    assert (await _actions(container, user.client_id)).count("order.updated") == 1
