"""Shared steps of the order-path tests."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from backend.audit.service import Actor
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
