"""What every chat tool runs with: the caller's own client, session and actor, and what a tool hands back."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit.service import Actor
from backend.brokers.base import BrokerPort
from backend.execution.gate_inputs import EXCHANGE_TZ
from backend.kit.container import Container
from backend.kit.errors import ServiceUnavailable
from backend.models import Trade
from backend.models.base import utcnow

CONNECT_WAIT_SECONDS = 5.0


@dataclass
class ChatContext:
    """One message's scope: every tool acts for `client_id` only, through its own session and broker."""

    db: AsyncSession
    container: Container
    client_id: uuid.UUID
    actor: Actor
    conversation_id: uuid.UUID

    @property
    def today(self) -> date:
        """Return the exchange's date now."""
        return utcnow().astimezone(EXCHANGE_TZ).date()

    async def broker(self, wait: float = CONNECT_WAIT_SECONDS) -> BrokerPort:
        """Return the client's connected broker, or refuse (503) when it is not connected."""
        session = await self.container.brokers.session_for(self.client_id)
        if not await session.wait_connected(wait):
            status = session.status()
            raise ServiceUnavailable(
                "The broker is not connected right now",
                code="broker_unavailable",
                details={"state": status.state, "last_error": status.last_error},
            )
        return session.broker


@dataclass
class ToolResult:
    """A tool's answer: text for the person, data for the screen, trades it proposed or decided.

    `pending` is an action the person must confirm in their next message (only the LLM sets one).
    """

    text: str
    data: dict[str, Any] = field(default_factory=dict)
    trades: list[Trade] = field(default_factory=list)
    pending: dict[str, Any] | None = None


def money(value: Decimal | None) -> str:
    """Format dollars for a reply."""
    return "n/a" if value is None else f"{value:,.2f}"


def signed(value: Decimal | float | None) -> str:
    """Format a signed figure for a reply."""
    return "n/a" if value is None else f"{value:+,.2f}"
