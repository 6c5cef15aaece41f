"""Trading state: change it in the caller's transaction, publish it after commit, read it fast.

The database holds the truth. Each process keeps what it read in memory for `refresh_after`
seconds; with Redis it then re-reads the shared mirror (a publish writes it), without Redis the
database. So a change reaches every process within about refresh_after plus one round trip. Any
doubt (nothing readable) is answered HALTED.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.audit.service import Actor, record
from backend.kit.db import TenantScope, scoped_session
from backend.kit.errors import AppError, Forbidden, NotFound
from backend.kit.pagination import PageParams, paginate
from backend.models import TradingState, TradingStateChange
from backend.models.base import utcnow
from backend.models.trading_state import GLOBAL_SCOPE
from backend.realtime.publishers import trading_state_changed
from backend.risk.context import TradingMode, TradingStatus
from backend.trading import repository
from backend.trading.cache import (
    ACTIVE,
    FAIL_CLOSED,
    LocalCache,
    RedisMirror,
    ScopeState,
    combine,
    scopes_of,
)

logger = logging.getLogger("greekdesk.trading")

HaltHook = Callable[[uuid.UUID | None], Awaitable[int]]
"""Cancels the working orders of one client (or of every client for None); returns how many."""

ACTIONS = {
    TradingMode.ACTIVE: "trading.resumed",
    TradingMode.REDUCING: "trading.reducing",
    TradingMode.HALTED: "trading.halted",
}
STRICTNESS = (TradingMode.ACTIVE, TradingMode.REDUCING, TradingMode.HALTED)
REASON_MIN, REASON_MAX = 3, 500
REFRESH_AFTER_SECONDS = 0.5
_PUBLISH_RETRY_DELAYS = (0.05, 0.2)


class InvalidReason(AppError):
    status_code = 422
    code = "invalid_reason"


async def _nothing_to_cancel(_client_id: uuid.UUID | None) -> int:
    return 0


def check_reason(reason: str) -> str:
    """Return the reason stripped, refusing one shorter than 3 or longer than 500 characters."""
    cleaned = reason.strip()
    if not REASON_MIN <= len(cleaned) <= REASON_MAX:
        raise InvalidReason(f"A reason of {REASON_MIN} to {REASON_MAX} characters is required")
    return cleaned


def loosens(before: TradingMode, after: TradingMode) -> bool:
    """Say whether going from `before` to `after` allows more trading."""
    return STRICTNESS.index(after) < STRICTNESS.index(before)


class TradingStateService:
    """Reads (fast, fail-closed) and changes (audited) the global and per-client trading state."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        redis: Redis | None,
        *,
        refresh_after: float = REFRESH_AFTER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._mirror = RedisMirror(redis) if redis is not None else None
        self._cache = LocalCache(clock)
        self._refresh_after = refresh_after
        # The execution service replaces this with the one that cancels working orders.
        self.on_halt: HaltHook = _nothing_to_cancel

    async def status(self, client_id: uuid.UUID) -> TradingStatus:
        """Return the client's and the global state for the gate; HALTED when neither can be read."""
        scopes = scopes_of(client_id)
        try:
            global_state, client_state = await self._states(scopes)
        except Exception:
            logger.exception("trading state unreadable; failing closed", extra={"client_id": str(client_id)})
            return FAIL_CLOSED
        return combine(global_state, client_state)

    async def _states(self, scopes: Sequence[str]) -> list[ScopeState]:
        cached = self._cache.fresh(scopes, self._refresh_after)
        if cached is not None:
            return cached
        mirror_ok = self._mirror is not None
        if self._mirror is not None:
            try:
                mirrored = await self._mirror.get(scopes)
            except (RedisError, OSError):
                # Redis down is not a reason to trade blind or to stop: the database decides.
                logger.warning("trading state mirror unreadable; reading the database", exc_info=True)
                mirror_ok = False
            else:
                if all(m is not None for m in mirrored):
                    found = [m for m in mirrored if m is not None]
                    self._remember(scopes, found)
                    return found
        loaded = await self._load(scopes)
        self._remember(scopes, loaded)
        if self._mirror is not None and mirror_ok:
            try:
                for scope, state in zip(scopes, loaded, strict=True):
                    await self._mirror.fill(scope, state)
            except (RedisError, OSError):
                logger.warning("could not refill the trading state mirror", exc_info=True)
        return loaded

    def _remember(self, scopes: Sequence[str], states: Sequence[ScopeState]) -> None:
        for scope, state in zip(scopes, states, strict=True):
            self._cache.put(scope, state)

    async def _load(self, scopes: Sequence[str]) -> list[ScopeState]:
        # The client's own scope: row-level security lets a tenant read its row and the global one.
        async with scoped_session(self._sessions, TenantScope.for_client(uuid.UUID(scopes[1]))) as session:
            rows = await repository.states(session, scopes)
        # No row means never changed: the table's default, ACTIVE.
        return [
            ScopeState(TradingMode(rows[s].state), rows[s].allow_reduce_only) if s in rows else ACTIVE
            for s in scopes
        ]

    async def change(
        self,
        session: AsyncSession,
        *,
        scope_client_id: uuid.UUID | None,
        state: TradingMode,
        reason: str,
        allow_reduce_only: bool,
        actor: Actor,
    ) -> TradingStateChange:
        """Change one scope's state with its history row and audit record; call publish() after commit."""
        reason = check_reason(reason)
        target = TradingMode(state)
        current = await self.ensure_row(session, scope_client_id)
        previous = TradingMode(current.state)
        if loosens(previous, target) and actor.type != "operator":
            # Stops are automatic; going back to trading needs a person.
            raise Forbidden(
                f"Only an operator may move trading from {previous} to {target}", code="resume_needs_operator"
            )
        changed_by = f"{actor.type}:{actor.id}" if actor.id else actor.type
        now = utcnow()
        current.state = target.value
        current.reason = reason
        current.allow_reduce_only = allow_reduce_only
        current.changed_by = changed_by[:100]
        current.changed_at = now
        change = TradingStateChange(
            scope=current.scope,
            client_id=scope_client_id,
            from_state=previous.value,
            to_state=target.value,
            reason=reason,
            allow_reduce_only=allow_reduce_only,
            changed_by=changed_by[:100],
            changed_at=now,
        )
        session.add(change)
        await session.flush()
        await record(
            session,
            actor=actor,
            action=ACTIONS[target],
            client_id=scope_client_id,
            subject=f"trading_state:{current.scope}",
            data={
                "change_id": str(change.id),
                "from": previous.value,
                "to": target.value,
                "reason": reason,
                "allow_reduce_only": allow_reduce_only,
            },
        )
        await trading_state_changed(session, change)
        return change

    async def ensure_row(self, session: AsyncSession, client_id: uuid.UUID | None) -> TradingState:
        """Return the scope's state row locked for this transaction, creating an ACTIVE one if missing."""
        scope = repository.scope_of(client_id)
        row = await repository.lock_state(session, scope)
        if row is not None:
            return row
        if client_id is not None and not await repository.client_exists(session, client_id):
            raise NotFound("No such client", code="client_not_found")
        row = TradingState(scope=scope, client_id=client_id, state="ACTIVE", changed_by="system")
        session.add(row)
        await session.flush()
        return row

    async def ensure_client_row(self, session: AsyncSession, client_id: uuid.UUID) -> TradingState:
        """Return the client's state row, creating an ACTIVE one if missing (404 for an unknown client)."""
        return await self.ensure_row(session, client_id)

    async def publish(self, change: TradingStateChange) -> int | None:
        """Make a committed change visible everywhere; on a halt cancel working orders in scope.

        Returns how many orders were cancelled, or None when cancelling failed (the halt stands).
        """
        state = ScopeState(TradingMode(change.to_state), change.allow_reduce_only)
        self._cache.put(change.scope, state)
        if self._mirror is not None:
            await self._publish_to_mirror(change.scope, state)
        if state.state is not TradingMode.HALTED:
            return 0
        try:
            return await self.on_halt(change.client_id)
        except Exception:
            logger.exception("cancelling working orders after a halt failed", extra={"scope": change.scope})
            return None

    async def _publish_to_mirror(self, scope: str, state: ScopeState) -> None:
        assert self._mirror is not None
        for delay in (*_PUBLISH_RETRY_DELAYS, None):
            try:
                await self._mirror.set(scope, state)
                return
            except (RedisError, OSError):
                if delay is None:
                    # Readers that still reach Redis see the old value until its entry expires.
                    logger.exception("could not publish the trading state to Redis", extra={"scope": scope})
                    return
                await asyncio.sleep(delay)

    def forget(self) -> None:
        """Drop this process's cached states (the next status() reads the mirror or the database)."""
        self._cache.clear()


@dataclass(frozen=True, slots=True)
class Overview:
    """What operators see: the global row, clients not ACTIVE, and one page of history."""

    global_state: TradingState | None
    clients: list[TradingState]
    history: list[TradingStateChange]
    total: int


async def overview(session: AsyncSession, page: PageParams, client_id: uuid.UUID | None = None) -> Overview:
    """Load the operators' view (cross-tenant session), history optionally of one client."""
    rows = await repository.states(session, [GLOBAL_SCOPE])
    history, total = await paginate(session, repository.history(client_id), page)
    return Overview(rows.get(GLOBAL_SCOPE), await repository.not_active(session), history, total)


async def client_states(
    session: AsyncSession, client_id: uuid.UUID
) -> tuple[TradingState | None, TradingState | None]:
    """Load the global and the client's current rows (None where a scope never changed)."""
    rows = await repository.states(session, scopes_of(client_id))
    return rows.get(GLOBAL_SCOPE), rows.get(str(client_id))
