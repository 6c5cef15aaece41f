"""Client leases on the real database: acquire once, renew, expire, take over with a higher token, fence."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from backend.audit.service import Actor
from backend.brokers.errors import UnknownOrder
from backend.kit.container import Container
from backend.kit.db import NO_TENANT, TenantScope, scoped_session
from backend.models import Order
from backend.models.base import utcnow
from backend.tests.conftest import ON_POSTGRES, create_client_user
from backend.tests.execution.helpers import agent_proposal
from backend.worker.leases import Lease, LeaseStore
from backend.worker.roles import LeaseFence

TTL = 10.0


class Clock:
    """A clock a test moves by hand, so expiry needs no sleeping."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _store(container: Container, holder: str, clock: Callable[[], datetime]) -> LeaseStore:
    return LeaseStore(container.sessions, holder, TTL, clock)


async def test_a_free_lease_is_acquired_once_and_a_takeover_after_expiry_raises_the_token(
    container: Container,
) -> None:
    client = (await create_client_user(container)).client_id
    clock = Clock()
    first, second = _store(container, "worker-a", clock), _store(container, "worker-b", clock)
    lease = await first.acquire(client)
    assert lease is not None
    assert await second.acquire(client) is None
    assert await first.holder_of(client) == "worker-a"
    clock.advance(TTL + 0.1)
    taken = await second.acquire(client)
    assert taken is not None
    assert taken.token == lease.token + 1
    # The old holder's renewal finds nothing: it has lost the lease and must stop the client.
    assert await first.renew([lease]) == []
    assert await second.holder_of(client) == "worker-b"


async def test_a_renewed_lease_outlives_its_first_ttl(container: Container) -> None:
    client = (await create_client_user(container)).client_id
    clock = Clock()
    holder, other = _store(container, "worker-a", clock), _store(container, "worker-b", clock)
    lease = await holder.acquire(client)
    assert lease is not None
    clock.advance(TTL * 0.6)
    assert await holder.renew([lease]) == [lease]
    clock.advance(TTL * 0.6)  # past the first expiry, inside the renewed one
    assert await other.acquire(client) is None
    clock.advance(TTL)
    assert await other.acquire(client) is not None


async def test_a_released_lease_is_free_at_once_and_the_next_token_is_still_higher(
    container: Container,
) -> None:
    client = (await create_client_user(container)).client_id
    clock = Clock()
    holder, other = _store(container, "worker-a", clock), _store(container, "worker-b", clock)
    lease = await holder.acquire(client)
    assert lease is not None
    await holder.release(lease)
    assert await holder.holder_of(client) is None
    again = await other.acquire(client)
    assert again is not None
    assert again.token > lease.token


async def test_clients_with_a_broker_account_are_leasable(container: Container) -> None:
    client = (await create_client_user(container)).client_id
    assert client in await _store(container, "worker-a", utcnow).leasable()


def _ticket(limit: Decimal) -> dict[str, object]:
    return {
        "legs": [{"sec_type": "stock", "symbol": "SPY", "side": "buy"}],
        "quantity": 1,
        "order_type": "limit",
        "limit_price": str(limit),
    }


async def _approve(container: Container, client: uuid.UUID) -> Order:
    session = await container.brokers.session_for(client)
    assert await session.wait_connected(10)
    from backend.domain.instruments import Stock

    (quote,) = await session.broker.quotes([Stock("SPY")])
    assert quote.ask is not None
    trade = await agent_proposal(container, client, _ticket(quote.ask.value + 1))
    assert trade.status == "pending_approval", trade.denial_reasons
    async with scoped_session(container.sessions, TenantScope.for_client(client)) as db:
        await container.execution.approve(db, client, trade.id, Actor("user", "test"))
    async with scoped_session(container.sessions, TenantScope.for_client(client)) as db:
        return (await db.execute(select(Order).where(Order.trade_id == trade.id))).scalar_one()


async def test_a_stale_holders_order_is_booked_lease_lost_and_never_reaches_the_broker(
    container: Container,
) -> None:
    client = (await create_client_user(container)).client_id
    clock = Clock()
    stale, successor = _store(container, "worker-a", clock), _store(container, "worker-b", clock)
    lease = await stale.acquire(client)
    assert lease is not None
    held: dict[uuid.UUID, Lease] = {client: lease}
    container.execution.fence = LeaseFence(stale, held.get)
    clock.advance(TTL + 1)
    assert await successor.acquire(client) is not None
    order = await _approve(container, client)
    assert (order.status, order.last_error) == ("rejected", "lease lost")
    broker = (await container.brokers.session_for(client)).broker
    with pytest.raises(UnknownOrder):
        await broker.order_status(order.client_order_id)


async def test_the_holders_order_passes_the_fence_and_reaches_the_broker(container: Container) -> None:
    client = (await create_client_user(container)).client_id
    store = _store(container, "worker-a", utcnow)
    lease = await store.acquire(client)
    assert lease is not None
    container.execution.fence = LeaseFence(store, {client: lease}.get)
    order = await _approve(container, client)
    assert order.status in ("acknowledged", "filled", "submitted"), order.last_error
    broker = (await container.brokers.session_for(client)).broker
    assert (await broker.order_status(order.client_order_id)).client_order_id == order.client_order_id


@pytest.mark.postgres
async def test_the_app_role_may_not_delete_leases_so_tokens_never_restart(container: Container) -> None:
    assert ON_POSTGRES
    client = (await create_client_user(container)).client_id
    assert await _store(container, "worker-a", utcnow).acquire(client) is not None
    from sqlalchemy import text
    from sqlalchemy.exc import ProgrammingError

    with pytest.raises(ProgrammingError, match="permission denied"):
        async with scoped_session(container.sessions, NO_TENANT) as db:
            await db.execute(text("DELETE FROM client_lease"))
