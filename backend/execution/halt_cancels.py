"""A halt cancels the working orders in its scope, through whichever session reaches each client's broker."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.audit.service import Actor, open_cross_tenant, record
from backend.brokers.errors import BrokerError
from backend.execution.service import WORKING_ORDER_STATUSES
from backend.kit.db import NO_TENANT, TenantScope, scoped_session
from backend.kit.errors import AppError
from backend.models import Order
from backend.runtime.broker_runtime import BrokerRuntime

logger = logging.getLogger("greekdesk.execution")


async def cancel_working_orders(
    sessions: async_sessionmaker[AsyncSession], brokers: BrokerRuntime, client_id: uuid.UUID | None
) -> int:
    """Ask the brokers to cancel every working order of one client, or of every client (a halt)."""
    async with scoped_session(sessions, NO_TENANT) as db:
        await open_cross_tenant(db, actor=Actor.system("halt"), reason="cancel working orders after a halt")
        query = select(Order.client_id, Order.client_order_id).where(Order.status.in_(WORKING_ORDER_STATUSES))
        if client_id is not None:
            query = query.where(Order.client_id == client_id)
        working = (await db.execute(query)).all()
    cancelled = 0
    for owner, client_order_id in working:
        try:
            # In an API process this is a link to the worker that leases the client: the cancel reaches it.
            session = await brokers.session_for(owner)
            await session.broker.cancel_order(client_order_id)
        except AppError as exc:
            logger.warning(
                "no broker session to cancel through", extra={"code": exc.code, "client_id": str(owner)}
            )
            continue
        except BrokerError as exc:
            logger.warning(
                "could not cancel a working order", extra={"code": exc.code, "client_id": str(owner)}
            )
            continue
        async with scoped_session(sessions, TenantScope.for_client(owner)) as db:
            await db.execute(
                update(Order)
                .where(Order.client_order_id == client_order_id)
                .values(status="cancel_requested")
            )
            await record(
                db,
                actor=Actor.system("halt"),
                action="order.cancel_requested",
                client_id=owner,
                subject=f"order:{client_order_id}",
                data={"reason": "trading halted"},
            )
        cancelled += 1
    return cancelled
