"""Load and save simulator snapshots: each client's paper account and the shared market."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.kit.db import TenantScope, scoped_session
from backend.models import SimulatorAccountState, SimulatorMarketState
from backend.models.base import utcnow

MARKET_NAME = "default"


class SimulatorStore:
    """Snapshots in the database, each account under its own tenant scope."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def load_account(self, client_id: uuid.UUID) -> dict[str, Any] | None:
        """Return the client's last saved account snapshot, if any."""
        async with scoped_session(self._sessions, TenantScope.for_client(client_id)) as session:
            row = await session.get(SimulatorAccountState, client_id)
            return row.snapshot if row else None

    async def save_account(self, client_id: uuid.UUID, snapshot: dict[str, Any]) -> None:
        """Save the client's account snapshot."""
        async with scoped_session(self._sessions, TenantScope.for_client(client_id)) as session:
            row = await session.get(SimulatorAccountState, client_id)
            if row is None:
                session.add(SimulatorAccountState(client_id=client_id, snapshot=snapshot))
            else:
                row.snapshot, row.updated_at = snapshot, utcnow()

    async def load_market(self) -> dict[str, Any] | None:
        """Return the market's last saved snapshot, if any."""
        async with scoped_session(self._sessions, TenantScope()) as session:
            row = await session.get(SimulatorMarketState, MARKET_NAME)
            return row.snapshot if row else None

    async def save_market(self, snapshot: dict[str, Any]) -> None:
        """Save the market snapshot."""
        async with scoped_session(self._sessions, TenantScope()) as session:
            row = await session.get(SimulatorMarketState, MARKET_NAME)
            if row is None:
                session.add(SimulatorMarketState(name=MARKET_NAME, snapshot=snapshot))
            else:
                row.snapshot, row.updated_at = snapshot, utcnow()
