"""Record a client's account values at most once per interval, from the process holding its broker."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.brokers.base import BrokerPort
from backend.kit.db import TenantScope, scoped_session
from backend.models import PnlSnapshot
from backend.realtime.publishers import pnl_recorded

logger = logging.getLogger("greekdesk.pnl")


class PnlRecorder:
    """Appends a `PnlSnapshot` when the client's last one is at least `interval` old."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        interval: timedelta,
        clock: Callable[[], datetime],
    ) -> None:
        self._sessions = sessions
        self._interval = interval
        self._clock = clock
        # The last point per client; read once from the database so a restart does not double a point.
        self._last: dict[uuid.UUID, datetime | None] = {}

    async def record_if_due(self, client_id: uuid.UUID, broker: BrokerPort) -> PnlSnapshot | None:
        """Record the broker's account summary unless the last point is recent; return what was written."""
        now = self._clock()
        if client_id not in self._last:
            self._last[client_id] = await self._latest_at(client_id)
        last = self._last[client_id]
        if last is not None and now - last < self._interval:
            return None
        summary = await broker.account_summary()
        snapshot = PnlSnapshot(
            client_id=client_id,
            at=now,
            net_liquidation=summary.net_liquidation.amount,
            realized=summary.realized_pnl.amount,
            unrealized=summary.unrealized_pnl.amount,
            currency=summary.net_liquidation.currency,
        )
        async with scoped_session(self._sessions, TenantScope.for_client(client_id)) as db:
            db.add(snapshot)
            pnl_recorded(db, snapshot)
        self._last[client_id] = now
        return snapshot

    async def record_quietly(self, client_id: uuid.UUID, broker: BrokerPort) -> None:
        """Record if due; a failure is logged and never reaches the caller (the agent's tick goes on)."""
        try:
            await self.record_if_due(client_id, broker)
        except Exception:
            logger.exception("P&L snapshot failed", extra={"client_id": str(client_id)})

    async def _latest_at(self, client_id: uuid.UUID) -> datetime | None:
        async with scoped_session(self._sessions, TenantScope.for_client(client_id)) as db:
            query = select(func.max(PnlSnapshot.at)).where(PnlSnapshot.client_id == client_id)
            latest: datetime | None = (await db.execute(query)).scalar_one()
            return latest
