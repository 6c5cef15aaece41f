"""The trading state's fast path: an in-process cache and its Redis mirror."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from redis.asyncio import Redis

from backend.models.trading_state import GLOBAL_SCOPE
from backend.risk.context import TradingMode, TradingStatus

KEY_PREFIX = "greekdesk:trading_state:"
# A mirror entry that a failed or reordered publish left stale heals by expiring; the next reader
# refills it from the database.
MIRROR_TTL_MS = 10_000

FAIL_CLOSED = TradingStatus(
    global_state=TradingMode.HALTED, client_state=TradingMode.HALTED, reduce_only_allowed=False
)


@dataclass(frozen=True, slots=True)
class ScopeState:
    """One scope's state as the gate needs it."""

    state: TradingMode
    allow_reduce_only: bool = True


ACTIVE = ScopeState(TradingMode.ACTIVE)


def combine(global_state: ScopeState, client_state: ScopeState) -> TradingStatus:
    """Return the gate's view of a client from its scope and the global one."""
    halted = [s for s in (global_state, client_state) if s.state is TradingMode.HALTED]
    return TradingStatus(
        global_state=global_state.state,
        client_state=client_state.state,
        # Exits stay possible only when every scope that halts trading allows them.
        reduce_only_allowed=all(s.allow_reduce_only for s in halted),
    )


def mirror_key(scope: str) -> str:
    """Return the Redis key of a scope ('global' or a client id)."""
    return f"{KEY_PREFIX}{scope}"


def encode(state: ScopeState) -> str:
    """Serialise a scope's state for Redis."""
    return json.dumps({"state": state.state.value, "allow_reduce_only": state.allow_reduce_only})


def decode(raw: str | bytes) -> ScopeState:
    """Parse a Redis value; raises ValueError (or KeyError/TypeError) on anything malformed."""
    value = json.loads(raw)
    allow = value["allow_reduce_only"]
    if not isinstance(allow, bool):
        raise TypeError("allow_reduce_only must be a boolean")
    return ScopeState(TradingMode(value["state"]), allow)


class LocalCache:
    """Scope states this process has seen, with when it last confirmed each."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: dict[str, tuple[ScopeState, float]] = {}

    def fresh(self, scopes: Sequence[str], max_age: float) -> list[ScopeState] | None:
        """Return the scopes' states when every one was confirmed within `max_age` seconds."""
        now = self._clock()
        found: list[ScopeState] = []
        for scope in scopes:
            entry = self._entries.get(scope)
            if entry is None or now - entry[1] >= max_age:
                return None
            found.append(entry[0])
        return found

    def put(self, scope: str, state: ScopeState) -> None:
        """Remember a scope's state as confirmed now."""
        self._entries[scope] = (state, self._clock())

    def clear(self) -> None:
        """Forget everything."""
        self._entries.clear()


class RedisMirror:
    """The shared copy every process polls; the database stays the source of truth."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def get(self, scopes: Sequence[str]) -> list[ScopeState | None]:
        """Read several scopes at once; None for a missing or malformed entry."""
        raws: list[bytes | str | None] = await self._redis.mget([mirror_key(s) for s in scopes])
        states: list[ScopeState | None] = []
        for raw in raws:
            try:
                states.append(decode(raw) if raw is not None else None)
            except (ValueError, KeyError, TypeError):
                states.append(None)
        return states

    async def set(self, scope: str, state: ScopeState) -> None:
        """Publish a scope's new state."""
        await self._redis.set(mirror_key(scope), encode(state), px=MIRROR_TTL_MS)

    async def fill(self, scope: str, state: ScopeState) -> None:
        """Store a state read from the database unless a publish got there first."""
        # NX: a concurrent change's publish is newer than our read and must win.
        await self._redis.set(mirror_key(scope), encode(state), px=MIRROR_TTL_MS, nx=True)


def scopes_of(client_id: uuid.UUID) -> tuple[str, str]:
    """Return the two scopes a client's status depends on."""
    return (GLOBAL_SCOPE, str(client_id))
