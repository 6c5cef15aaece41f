"""Shared steps of the order-path tests."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.pool import QueuePool

from backend.audit.service import Actor
from backend.domain.orders import OrderRequest, OrderStatus
from backend.domain.values import Quantity
from backend.execution.tickets import TradeTicket
from backend.kit.container import Container
from backend.kit.db import TenantScope, scoped_session
from backend.models import Trade


async def agent_proposal(
    container: Container, client_id: uuid.UUID, ticket: dict[str, Any], *, expires_at: datetime | None = None
) -> Trade:
    """Propose a trade as the agent does: gated, then left waiting for a person's decision."""
    async with scoped_session(container.sessions, TenantScope.for_client(client_id)) as db:
        return await container.execution.propose(
            db,
            client_id,
            TradeTicket.model_validate(ticket),
            origin="agent",
            actor=Actor("agent", "test"),
            expires_at=expires_at,
        )


class SendHeld:
    """A client's real adapter, except that a send waits (in flight) until the test lets it arrive."""

    def __init__(self, broker: Any) -> None:
        self._broker = broker
        self.sending = asyncio.Event()
        self.arrive = asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._broker, name)

    async def place_order(self, request: OrderRequest) -> Any:
        """Say the send has started, wait to be let through, then place the order for real."""
        self.sending.set()
        await self.arrive.wait()
        return await self._broker.place_order(request)


class AnswerBeforeFill:
    """A client's real adapter, except that a send's answer predates its fill (as an acknowledgement can)."""

    def __init__(self, broker: Any) -> None:
        self._broker = broker

    def __getattr__(self, name: str) -> Any:
        return getattr(self._broker, name)

    async def place_order(self, request: OrderRequest) -> Any:
        """Place the order for real, then answer as the broker did before it filled."""
        state = await self._broker.place_order(request)
        assert state.status is OrderStatus.FILLED
        return dataclasses.replace(
            state,
            status=OrderStatus.WORKING,
            filled_quantity=Quantity(Decimal(0)),
            average_fill_price=None,
            executions=(),
        )


async def pool_idle(pool: QueuePool, quiet: float = 0.3) -> None:
    """Wait until no pooled connection has been checked out for `quiet` seconds (background bookkeeping done)."""
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(10):
        since = loop.time()
        while loop.time() - since < quiet:
            if pool.checkedout():
                since = loop.time()
            await asyncio.sleep(0.01)


@contextmanager
def connections_at_reads(
    broker: Any, pool: QueuePool, names: Iterable[str]
) -> Iterator[list[tuple[str, int]]]:
    """Within the block, note each call of the broker's `names` with the pool's checked-out count at that moment."""
    seen: list[tuple[str, int]] = []

    def watched(name: str, call: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def read(*args: Any, **kwargs: Any) -> Any:
            seen.append((name, pool.checkedout()))
            return await call(*args, **kwargs)

        return read

    names = tuple(names)
    for name in names:
        setattr(broker, name, watched(name, getattr(broker, name)))
    try:
        yield seen
    finally:
        for name in names:
            delattr(broker, name)
