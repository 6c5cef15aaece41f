"""Automatic stops: a daily-loss breach, or repeated order-rate breaches, tighten the client's state.

Stops are automatic and only ever tighten; going back to ACTIVE needs an operator (the trading
state service refuses a system actor that loosens).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import defaultdict, deque

from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit.service import Actor
from backend.risk.context import TradingMode, TradingStatus
from backend.risk.gate import GateDecision
from backend.trading.service import TradingStateService

logger = logging.getLogger("greekdesk.execution")
RATE_BREACHES_TO_REDUCE = 3
RATE_WINDOW_SECONDS = 600.0
_STRICTNESS = [TradingMode.ACTIVE, TradingMode.REDUCING, TradingMode.HALTED]


class Escalator:
    """Turns certain denials into a stricter trading state for the client."""

    def __init__(self, trading: TradingStateService, daily_loss_state: TradingMode) -> None:
        self._trading = trading
        self._daily_loss_state = daily_loss_state
        self._rate_breaches: defaultdict[uuid.UUID, deque[float]] = defaultdict(deque)

    async def after_decision(
        self, db: AsyncSession, client_id: uuid.UUID, decision: GateDecision, status: TradingStatus
    ) -> None:
        """Tighten the client's state when the decision shows a daily-loss or repeated rate breach.

        Runs in the caller's transaction and commits it (SQLite has one writer, so a second
        session would wait on this one), then publishes the change.
        """
        rules = {d.rule for d in decision.denials}
        target, reason = None, ""
        if "daily_loss" in rules:
            target, reason = self._daily_loss_state, "daily loss limit reached"
        elif "order_rate" in rules and self._repeated_rate_breach(client_id):
            target, reason = TradingMode.REDUCING, "repeated order-rate breaches"
        if target is None or _STRICTNESS.index(status.client_state) >= _STRICTNESS.index(target):
            return
        change = await self._trading.change(
            db,
            scope_client_id=client_id,
            state=target,
            reason=reason,
            allow_reduce_only=True,
            actor=Actor.system("risk"),
        )
        await db.commit()
        await self._trading.publish(change)
        logger.warning("client trading tightened", extra={"client_id": str(client_id), "state": target.value})

    def _repeated_rate_breach(self, client_id: uuid.UUID) -> bool:
        now = time.monotonic()
        breaches = self._rate_breaches[client_id]
        breaches.append(now)
        while breaches and breaches[0] < now - RATE_WINDOW_SECONDS:
            breaches.popleft()
        return len(breaches) >= RATE_BREACHES_TO_REDUCE
