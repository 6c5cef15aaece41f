"""Start-up work on the database: dev-only table creation and the rows every install needs."""

from __future__ import annotations

import logging

from backend.clients.service import ensure_global_trading_state
from backend.kit.container import Container
from backend.kit.db import TenantScope, scoped_session
from backend.models import Base

logger = logging.getLogger("greekdesk.lifecycle")


async def prepare_database(container: Container) -> None:
    """Create missing tables and the global trading state when AUTO_CREATE_TABLES allows (development only).

    Migrations do both on every other path.
    """
    if not container.settings.auto_create_tables:
        return
    # Settings refuse this flag outside development.
    async with container.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    async with scoped_session(container.sessions, TenantScope(cross_tenant=True)) as session:
        await ensure_global_trading_state(session)
    logger.warning("AUTO_CREATE_TABLES created missing tables; use migrations outside development")
