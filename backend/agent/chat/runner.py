"""Run chat tools one at a time: each one's work is committed, or rolled back and told as text."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError

from backend.agent.chat.context import ChatContext, ToolResult
from backend.brokers.errors import BrokerError
from backend.kit.errors import AppError


class ToolRunner:
    """Runs tools one at a time; each one's work is committed, or rolled back and told as text."""

    def __init__(self, ctx: ChatContext) -> None:
        self.ctx = ctx
        self._lock = asyncio.Lock()
        self.results: list[ToolResult] = []
        self.trade_ids: list[uuid.UUID] = []

    async def run(self, tool: Callable[[], Awaitable[ToolResult]]) -> ToolResult:
        """Run one tool; an error a person can act on becomes the answer, never a 500."""
        # One session serves every tool call, so calls a model makes in parallel take turns.
        async with self._lock:
            try:
                result = await tool()
                # Read now: a later tool's rollback expires every object in the session.
                self.trade_ids += [trade.id for trade in result.trades]
                await self.ctx.db.commit()
            except (AppError, BrokerError, ValidationError) as exc:
                await self.ctx.db.rollback()
                result = _error_result(exc)
            self.results.append(result)
            return result


def _error_result(exc: Exception) -> ToolResult:
    if isinstance(exc, AppError | BrokerError):
        message, code = exc.message, exc.code
        details: Any = getattr(exc, "details", None)
    else:
        message, code, details = "the request did not validate", "invalid_request", None
    reasons = ""
    if isinstance(details, dict) and details.get("nearest_strikes"):
        reasons = f" Listed strikes near it: {', '.join(details['nearest_strikes'])}."
    return ToolResult(
        f"I could not do that: {message}.{reasons}", {"error": {"code": code, "message": message}}
    )
