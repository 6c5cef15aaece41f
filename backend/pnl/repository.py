"""Read a client's P&L history."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.models import PnlSnapshot


async def history_of(
    db: AsyncSession, client_id: uuid.UUID, *, since: datetime | None, limit: int
) -> list[PnlSnapshot]:
    """Return the client's latest `limit` snapshots at or after `since`, oldest first."""
    query = select(PnlSnapshot).where(PnlSnapshot.client_id == client_id)
    if since is not None:
        query = query.where(PnlSnapshot.at >= since)
    # The newest points matter most to a chart, so the bound keeps those; the id breaks ties in time.
    query = query.order_by(PnlSnapshot.at.desc(), PnlSnapshot.id.desc()).limit(limit)
    rows = list((await db.execute(query)).scalars())
    rows.reverse()
    return rows
