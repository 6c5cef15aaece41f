"""Keep our books in step with the broker: consume order events, and reconcile on every (re)connect."""

from __future__ import annotations

import asyncio
import functools
import logging
import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.audit.service import Actor, record
from backend.brokers.base import BrokerPort
from backend.brokers.errors import BrokerError, UnknownOrder
from backend.domain.orders import OrderEvent, OrderState
from backend.execution.position_sync import book_position_event, fix_drift
from backend.execution.service import ExecutionService, book_outcome
from backend.kit.db import TenantScope, scoped_session
from backend.models import Order, Trade
from backend.models.base import utcnow
from backend.runtime.broker_sessions import BrokerSessionRegistry, ManagedSession

logger = logging.getLogger("greekdesk.execution")
FORWARD_MARGIN = timedelta(seconds=30)
"""Allowed, beyond the forwarding timeout, between an API process writing an order and pushing its send
to the worker (and for the two machines' clocks to differ)."""
OPEN_ORDER_STATUSES = (
    "pending_submit",
    "submitted",
    "acknowledged",
    "partially_filled",
    "cancel_requested",
    "unknown",
)


class OrderSync:
    """Books what the broker reports about our orders, exactly once however often it is reported."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        execution: ExecutionService,
        registry: BrokerSessionRegistry,
        interval: float,
        forward_timeout: float,
    ) -> None:
        self._sessions = sessions
        self._execution = execution
        self._registry = registry
        self._interval = interval
        # An API process writes an order, then forwards its send; a worker starts it until the
        # request's deadline, so a younger unsent order may still be on its way.
        self._send_window = timedelta(seconds=forward_timeout) + FORWARD_MARGIN
        self._consumers: dict[uuid.UUID, tuple[BrokerPort, asyncio.Task[None]]] = {}
        self._periodic: asyncio.Task[None] | None = None
        self._follow_ups: set[asyncio.Task[None]] = set()
        """Events left until their order's send ended, being booked now."""

    def start(self) -> None:
        """Reconcile every connected session on an interval, besides on each (re)connect."""
        if self._periodic is None:
            self._periodic = asyncio.create_task(self._reconcile_periodically(), name="order-reconciliation")

    async def _reconcile_periodically(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            for session in self._registry.all():
                if session.state != "connected":
                    continue  # it reconciles when it reconnects
                try:
                    await self.reconcile(session.client_id, session.broker)
                except Exception:
                    logger.exception(
                        "periodic reconciliation failed", extra={"client_id": str(session.client_id)}
                    )

    async def on_connected(self, session: ManagedSession) -> None:
        """Reconcile the client's open orders, then follow its order events."""
        self._follow(session.client_id, session.broker)
        await self.reconcile(session.client_id, session.broker)

    def _follow(self, client_id: uuid.UUID, broker: BrokerPort) -> None:
        current = self._consumers.get(client_id)
        if current is not None and current[0] is broker and not current[1].done():
            return
        task = asyncio.create_task(self._consume(client_id, broker), name=f"order-events-{client_id}")
        self._consumers[client_id] = (broker, task)

    async def _consume(self, client_id: uuid.UUID, broker: BrokerPort) -> None:
        positions = asyncio.create_task(self._consume_positions(client_id, broker))
        try:
            await self._consume_orders(client_id, broker)
        finally:
            positions.cancel()
            await asyncio.gather(positions, return_exceptions=True)

    async def _consume_positions(self, client_id: uuid.UUID, broker: BrokerPort) -> None:
        async with broker.position_events() as events:
            async for event in events:
                try:
                    async with scoped_session(self._sessions, TenantScope.for_client(client_id)) as db:
                        await book_position_event(db, client_id, event)
                        await db.commit()
                except Exception:
                    # Reconciliation's drift check repairs what could not be booked here.
                    logger.exception("could not book a position event", extra={"client_id": str(client_id)})

    async def _consume_orders(self, client_id: uuid.UUID, broker: BrokerPort) -> None:
        async with broker.order_events() as events:
            async for event in events:
                then = functools.partial(self._after_send, client_id, broker, event)
                if self._execution.in_flight.after(event.client_order_id, then):
                    # Its sender is booking the broker's answer now: booking the event beside it would
                    # write the same order twice in two transactions (and audit the change twice).
                    continue
                await self._sync_quietly(client_id, broker, event.client_order_id)

    async def _sync_quietly(self, client_id: uuid.UUID, broker: BrokerPort, client_order_id: str) -> None:
        try:
            await self.sync_order(client_id, broker, client_order_id)
        except Exception:
            logger.exception("could not book an order event", extra={"client_id": str(client_id)})

    def _after_send(
        self, client_id: uuid.UUID, broker: BrokerPort, event: OrderEvent, booked: OrderState | None
    ) -> None:
        """Book the latest event of a send that has ended, unless the sender booked what it says."""
        said = (event.status, event.filled_quantity)
        if booked is not None and (booked.status, booked.filled_quantity) == said:
            return
        task = asyncio.create_task(
            self._sync_quietly(client_id, broker, event.client_order_id), name=f"order-sync-{client_id}"
        )
        self._follow_ups.add(task)
        task.add_done_callback(self._follow_ups.discard)

    async def sync_order(self, client_id: uuid.UUID, broker: BrokerPort, client_order_id: str) -> None:
        """Bring one of our orders (and its trade, fills, positions) to the broker's current view."""
        # Ask the broker first, so no transaction stays open while it answers.
        state = await self._broker_view(client_id, broker, client_order_id)
        async with scoped_session(self._sessions, TenantScope.for_client(client_id)) as db:
            booked = await _booked(db, client_id, client_order_id)
            if booked is None:
                return  # not placed through Greekdesk
            order, trade = booked
            if state is None:
                if self._never_sent(order):
                    # The broker never received it: booked as not sent, and never resent.
                    await book_outcome(
                        db,
                        order,
                        trade,
                        ("rejected", "rejected"),
                        "never reached the broker",
                        actor="reconcile",
                        action="order.not_sent",
                    )
                return
            before = (order.status, order.filled_quantity)
            await self._execution.apply_state(db, order, trade, state)
            if (order.status, order.filled_quantity) != before:
                await record(
                    db,
                    actor=Actor.system("broker"),
                    action="order.updated",
                    client_id=client_id,
                    subject=f"order:{client_order_id}",
                    data={"status": order.status, "filled": str(order.filled_quantity)},
                )

    def _never_sent(self, order: Order) -> bool:
        """Tell whether an order the broker does not know can no longer reach it."""
        if order.client_order_id in self._execution.in_flight:
            return False  # this process is sending it
        if order.status == "unknown":
            return True  # its sender gave up waiting, and no worker starts a send past its deadline
        return order.status == "pending_submit" and order.created_at <= utcnow() - self._send_window

    async def _broker_view(
        self, client_id: uuid.UUID, broker: BrokerPort, client_order_id: str
    ) -> OrderState | None:
        try:
            return await broker.order_status(client_order_id)
        except UnknownOrder:
            if client_order_id in self._execution.in_flight:
                return None  # on its way: the sender books the broker's answer
        # This session did not send it (a restart, a takeover): the broker may still find and follow
        # it from what we booked. Only an order still open here is worth the search.
        async with scoped_session(self._sessions, TenantScope.for_client(client_id)) as db:
            booked = await _booked(db, client_id, client_order_id)
            if booked is None or booked[0].status not in OPEN_ORDER_STATUSES:
                return None
            placed = await self._execution.placed(db, *booked)
        try:
            return await broker.resume_order(placed)
        except UnknownOrder:
            return None

    async def reconcile(self, client_id: uuid.UUID, broker: BrokerPort) -> int:
        """Query the broker for every order we think is open; return how many were checked."""
        async with scoped_session(self._sessions, TenantScope.for_client(client_id)) as db:
            open_ids = (
                (
                    await db.execute(
                        select(Order.client_order_id).where(
                            Order.client_id == client_id, Order.status.in_(OPEN_ORDER_STATUSES)
                        )
                    )
                )
                .scalars()
                .all()
            )
        for client_order_id in open_ids:
            try:
                await self.sync_order(client_id, broker, client_order_id)
            except BrokerError as exc:
                # A missing report fails closed: the order stays as it was and is retried next time.
                logger.warning("reconciliation could not read an order", extra={"code": exc.code})
        try:
            async with scoped_session(self._sessions, TenantScope.for_client(client_id)) as db:
                await fix_drift(db, client_id, broker)
                await db.commit()
        except BrokerError as exc:
            # No position report: nothing is changed (fail closed) and the next pass tries again.
            logger.warning("reconciliation could not read positions", extra={"code": exc.code})
        return len(open_ids)

    async def close(self, grace: float = 5.0) -> None:
        """Stop following every session: let consumers finish (their streams end as sessions close)."""
        if self._periodic is not None:
            self._periodic.cancel()
            await asyncio.gather(self._periodic, return_exceptions=True)
            self._periodic = None
        tasks = [task for _, task in self._consumers.values()] + list(self._follow_ups)
        self._consumers.clear()
        if not tasks:
            return
        # Cancelling one mid-transaction could strand an SQLite write lock; ended streams let them return.
        _, pending = await asyncio.wait(tasks, timeout=grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


async def _booked(db: AsyncSession, client_id: uuid.UUID, client_order_id: str) -> tuple[Order, Trade] | None:
    order = (
        await db.execute(
            select(Order).where(Order.client_id == client_id, Order.client_order_id == client_order_id)
        )
    ).scalar_one_or_none()
    if order is None:
        return None
    return order, (await db.execute(select(Trade).where(Trade.id == order.trade_id))).scalar_one()
