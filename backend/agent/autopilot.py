"""Who approves the agent's proposals: the mode a client chose, narrowed by the platform and its trading state."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
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


async def expire_proposals(db: AsyncSession, client_id: uuid.UUID, now: datetime) -> list[uuid.UUID]:
    """Mark the client's proposals past their time as expired (audited); return their ids."""
    due = list(
        (
            await db.execute(
                select(Trade.id).where(
                    Trade.client_id == client_id,
                    Trade.status == "pending_approval",
                    Trade.expires_at.is_not(None),
                    Trade.expires_at <= now,
                )
            )
        ).scalars()
    )
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


async def approve_own(db: AsyncSession, execution: ExecutionService, client_id: uuid.UUID) -> list[Trade]:
    """Approve the agent's pending proposals, oldest first, each through the gate again."""
    pending = list(
        (
            await db.execute(
                select(Trade.id)
                .where(
                    Trade.client_id == client_id,
                    Trade.origin == "agent",
                    Trade.status == "pending_approval",
                )
                .order_by(Trade.created_at)
            )
        ).scalars()
    )
    await db.commit()
    decided = []
    for trade_id in pending:
        try:
            decided.append(await execution.approve(db, client_id, trade_id, AGENT))
            await db.commit()
        except AppError as exc:
            # Decided meanwhile by a person, expired, or the broker went away: the next tick looks again.
            await db.rollback()
            logger.info("autonomous approval skipped", extra={"code": exc.code, "client_id": str(client_id)})
    return decided
