"""The command channel on real Redis: an API-side RemoteBroker calls the worker holding the client."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from redis.asyncio import Redis
from sqlalchemy import select

from backend.brokers.base import ConnectionState
from backend.domain.instruments import Side, Stock
from backend.domain.orders import OrderRequest, OrderStatus, OrderType, TimeInForce
from backend.domain.values import NetPrice, Quantity
from backend.kit.container import Container
from backend.kit.db import TenantScope, scoped_session
from backend.models import AuditRecord, Order
from backend.models.base import utcnow
from backend.runtime.broker_sessions import ManagedSession
from backend.tests.conftest import create_client_user
from backend.tests.execution.helpers import AnswerBeforeFill, SendHeld
from backend.tests.factories import create_stock_order
from backend.worker.commands import FORWARDED_BOOKING_SECONDS, CommandServer
from backend.worker.frames import Reply, Request, seal
from backend.worker.leases import Lease, LeaseLost, LeaseStore
from backend.worker.remote import NoOwner, RemoteBroker, RemoteChannel, reply_key, requests_key
from backend.worker.roles import frames_redis

pytestmark = pytest.mark.redis
KEY = b"k" * 32


@dataclass
class Link:
    """A worker's command server and an API process's channel to it, over one Redis."""

    redis: Redis
    worker: LeaseStore
    channel: RemoteChannel
    held: dict[uuid.UUID, Lease]


@pytest.fixture
async def link(container: Container) -> AsyncIterator[Link]:
    redis = frames_redis(os.environ["TEST_REDIS_URL"])
    worker = LeaseStore(container.sessions, f"worker-{uuid.uuid4().hex[:8]}", 10.0)
    held: dict[uuid.UUID, Lease] = {}
    server = CommandServer(redis, KEY, worker, container.sessions, container.brokers, held.get)
    server.in_flight = container.execution.in_flight  # as the worker role wires it
    server.start()
    channel = RemoteChannel(redis, KEY, LeaseStore(container.sessions, "api", 10.0), timeout=3.0)
    yield Link(redis, worker, channel, held)
    await server.close()
    await redis.aclose()


async def _leased(container: Container, link: Link) -> uuid.UUID:
    client = (await create_client_user(container)).client_id
    lease = await link.worker.acquire(client)
    assert lease is not None
    link.held[client] = lease
    return client


def _order(client_order_id: str, limit: Decimal) -> OrderRequest:
    return OrderRequest(
        client_order_id,
        Stock("SPY"),
        Side.BUY,
        Quantity(Decimal(1)),
        OrderType.LIMIT,
        NetPrice(limit),
        TimeInForce.DAY,
    )


@dataclass
class Pending:
    """A leased client's order, written and committed as an API process does before it forwards the send."""

    client: uuid.UUID
    session: ManagedSession
    client_order_id: str
    request: OrderRequest


async def _pending_marketable_order(
    container: Container, link: Link, *, written_at: datetime | None = None
) -> Pending:
    client = await _leased(container, link)
    session = await container.brokers.session_for(client)
    assert await session.wait_connected(5.0)
    (quote,) = await session.broker.quotes([Stock("SPY")])
    assert quote.ask is not None
    limit = quote.ask.value + 1  # marketable: the simulator fills it as it accepts it
    client_order_id = await create_stock_order(
        container,
        client,
        symbol="SPY",
        quantity=1,
        order_status="pending_submit",
        limit_price=limit,
        written_at=written_at,
    )
    return Pending(client, session, client_order_id, _order(client_order_id, limit))


async def _order_status(container: Container, client: uuid.UUID) -> str:
    async with scoped_session(container.sessions, TenantScope.for_client(client)) as db:
        status: str = (await db.execute(select(Order.status).where(Order.client_id == client))).scalar_one()
        return status


async def test_a_remote_broker_answers_with_the_workers_real_values(container: Container, link: Link) -> None:
    client = await _leased(container, link)
    remote = RemoteBroker(client, link.channel)
    await remote.connect()
    assert remote.state is ConnectionState.CONNECTED
    local = (await container.brokers.session_for(client)).broker
    assert remote.capabilities == local.capabilities
    (quote,) = await remote.quotes([Stock("SPY")])
    assert quote.ask is not None
    assert quote.ask.value > 0
    assert (await remote.account_summary()).account_id == (await local.account_summary()).account_id


async def test_an_order_through_a_worker_that_lost_its_lease_is_refused_and_never_sent(
    container: Container, link: Link
) -> None:
    client = await _leased(container, link)
    remote = RemoteBroker(client, link.channel)
    await remote.connect()
    (quote,) = await remote.quotes([Stock("SPY")])
    assert quote.ask is not None
    # Another holder took over (the row now carries a newer token); this worker's map still has the old one.
    link.held[client] = Lease(client, link.worker.holder, link.held[client].token - 1)
    with pytest.raises(LeaseLost):
        await remote.place_order(_order("gd-fenced-1", quote.ask.value + 1))
    local = (await container.brokers.session_for(client)).broker
    assert [o for o in await local.open_orders() if o.client_order_id == "gd-fenced-1"] == []


async def test_the_workers_reconciliation_leaves_a_forwarded_send_under_way_to_it(
    container: Container, link: Link
) -> None:
    # Written long enough ago that only the send under way keeps it from being judged never sent.
    order = await _pending_marketable_order(container, link, written_at=utcnow() - timedelta(minutes=2))
    real = order.session.broker
    held = SendHeld(real)
    order.session.broker = held
    remote = RemoteBroker(order.client, link.channel)
    await remote.connect()
    sending = asyncio.create_task(remote.place_order(order.request))
    await asyncio.wait_for(held.sending.wait(), 5)

    await container.order_sync.reconcile(order.client, real)
    status = await _order_status(container, order.client)
    assert status == "pending_submit", "the worker's reconciliation judged an order it was sending"

    held.arrive.set()
    placed = await asyncio.wait_for(sending, 5)
    assert placed.client_order_id == order.client_order_id
    order.session.broker = real
    # Until the API process has booked the answer, then no longer.
    assert order.client_order_id in container.execution.in_flight
    async with asyncio.timeout(FORWARDED_BOOKING_SECONDS + 1):
        while order.client_order_id in container.execution.in_flight:  # noqa: ASYNC110 - ended by a timer
            await asyncio.sleep(0.05)


async def test_a_forwarded_sends_answer_is_left_to_the_api_process_that_books_it(
    container: Container, link: Link
) -> None:
    order = await _pending_marketable_order(container, link)
    remote = RemoteBroker(order.client, link.channel)
    await remote.connect()
    answer = await remote.place_order(order.request)
    assert answer.filled_quantity.value == 1
    await asyncio.sleep(0.5)  # the worker's events consumer has had the order's events by now
    async with scoped_session(container.sessions, TenantScope.for_client(order.client)) as db:
        audited = (
            await db.execute(select(AuditRecord.action).where(AuditRecord.client_id == order.client))
        ).scalars()
        actions = set(audited)
    # The API process books the answer it was sent: the worker booking the same events beside it
    # would write the order twice, in two processes, and audit the change twice.
    assert await _order_status(container, order.client) == "pending_submit"
    assert "order.updated" not in actions


async def test_a_forwarded_sends_fill_that_its_answer_predates_is_booked_by_the_worker_after_a_while(
    container: Container, link: Link, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("backend.worker.commands.FORWARDED_BOOKING_SECONDS", 0.3)
    order = await _pending_marketable_order(container, link)
    real = order.session.broker
    order.session.broker = AnswerBeforeFill(real)
    remote = RemoteBroker(order.client, link.channel)
    await remote.connect()
    answer = await remote.place_order(order.request)
    order.session.broker = real
    assert answer.status is OrderStatus.WORKING
    async with asyncio.timeout(3):
        while await _order_status(container, order.client) != "filled":  # noqa: ASYNC110 - booked by a follow-up task
            await asyncio.sleep(0.05)


async def test_a_client_no_worker_holds_is_a_temporary_no_owner_error(
    container: Container, link: Link
) -> None:
    client = (await create_client_user(container)).client_id
    with pytest.raises(NoOwner) as caught:
        await RemoteBroker(client, link.channel).connect()
    assert caught.value.temporary


async def test_an_unsigned_or_forged_frame_is_dropped_and_the_server_keeps_answering(
    container: Container, link: Link
) -> None:
    client = await _leased(container, link)
    forged = Request("forged", str(client), "account_summary", (), deadline=utcnow().timestamp() + 5)
    await link.redis.rpush(requests_key(link.worker.holder), seal(b"x" * 32, forged))
    await link.redis.rpush(requests_key(link.worker.holder), b"not a frame at all")
    await asyncio.sleep(0.5)
    assert await link.redis.llen(reply_key("forged")) == 0
    remote = RemoteBroker(client, link.channel)
    await remote.connect()
    assert remote.state is ConnectionState.CONNECTED


async def test_a_reply_frame_signed_with_another_key_is_refused() -> None:
    from backend.worker.frames import FrameRejected, open_frame

    with pytest.raises(FrameRejected):
        open_frame(KEY, seal(b"y" * 32, Reply(value=1)))
    assert open_frame(KEY, seal(KEY, Reply(value=1))) == Reply(value=1)
