"""Who approves the agent's proposals: the mode a client chose, narrowed by the platform and its trading state."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.agent.scanner import AGENT
from backend.audit.service import record
from backend.execution.service import ExecutionService
from backend.kit.errors import AppError
from backend.models import Trade
from backend.risk.context import TradingMode

logger = logging.getLogger("greekdesk.agent")


@dataclass(frozen=True, slots=True)
class EffectiveMode:
    """The mode in force and, when it is not the one chosen, why."""

    mode: str
    reasons: list[str] = field(default_factory=list)

    @property
    def approves_itself(self) -> bool:
        """Tell whether the agent approves its own proposals now."""
        return self.mode == "autonomous"


def effective_mode(
    chosen: str, *, autonomous_enabled: bool, trading: TradingMode, paused: bool
) -> EffectiveMode:
    """Return the mode in force: autonomous only while the platform allows it and the client is ACTIVE."""
    if chosen != "autonomous":
        return EffectiveMode(chosen)
    reasons = []
    if not autonomous_enabled:
        reasons.append("Autonomous trading is switched off on this platform (AUTONOMOUS_ENABLED=false)")
    if trading is not TradingMode.ACTIVE:
        reasons.append(f"Trading is {trading.value}: only a person may approve")
    if paused:
        reasons.append("The agent is paused")
    return EffectiveMode("approval", reasons) if reasons else EffectiveMode("autonomous")


@dataclass(frozen=True, slots=True)
class Pending:
    """A trade waiting for a decision, as a tick reads it."""

    id: uuid.UUID
    origin: str
    expires_at: datetime | None


# Built once: every agent tick of every client runs it.
_PENDING = (
    select(Trade.id, Trade.origin, Trade.expires_at)
    .where(Trade.client_id == bindparam("client_id"), Trade.status == "pending_approval")
    .order_by(Trade.created_at, Trade.id)
)


async def pending_proposals(db: AsyncSession, client_id: uuid.UUID) -> list[Pending]:
    """Return the client's trades waiting for a decision, oldest first."""
    rows = await db.execute(_PENDING, {"client_id": client_id})
    return [Pending(trade_id, origin, expires) for trade_id, origin, expires in rows]


async def expire_proposals(
    db: AsyncSession, client_id: uuid.UUID, now: datetime, pending: list[Pending]
) -> list[uuid.UUID]:
    """Mark those of the `pending` proposals past their time as expired (audited); return their ids."""
    due = [p.id for p in pending if p.expires_at is not None and p.expires_at <= now]
    for trade_id in due:
        # The same conditional update as a decision: a concurrent approval and the expiry cannot both win.
        result = await db.execute(
            update(Trade)
            .where(Trade.id == trade_id, Trade.status == "pending_approval")
            .values(status="expired", decided_by="system:expiry", decided_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) == 1:
            await record(
                db,
                actor=AGENT,
                action="trade.expired",
                client_id=client_id,
                subject=f"trade:{trade_id}",
                data={},
            )
    return due


async def approve_own(
    db: AsyncSession, execution: ExecutionService, client_id: uuid.UUID, trade_ids: list[uuid.UUID]
) -> list[Trade]:
    """Approve the agent's proposals `trade_ids` (oldest first), each through the gate again.

    The caller read them this tick; one decided meanwhile by a person or by expiry is skipped, as
    the claim on its status refuses it.
    """
    decided = []
    for trade_id in trade_ids:
        try:
            decided.append(await execution.approve(db, client_id, trade_id, AGENT))
            await db.commit()
        except AppError as exc:
            # Decided meanwhile by a person, expired, or the broker went away: the next tick looks again.
            await db.rollback()
            logger.info("autonomous approval skipped", extra={"code": exc.code, "client_id": str(client_id)})
    return decided
