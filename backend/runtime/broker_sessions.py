"""The registry of live per-client broker sessions, as health checks and status endpoints see it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol


class BrokerSession(Protocol):
    """What the registry needs of a session: its state and a way to close it."""

    @property
    def state(self) -> str:
        """Return the connection state name (connected, connecting, disconnected, failed)."""
        ...

    async def close(self) -> None:
        """Disconnect and release resources."""
        ...


@dataclass(frozen=True, slots=True)
class SessionsHealth:
    """How the sessions of this process are doing."""

    total: int
    by_state: dict[str, int]


class BrokerSessionRegistry:
    """Holds each client's broker session in this process; sessions are added by the runtime."""

    def __init__(self) -> None:
        self._sessions: dict[uuid.UUID, BrokerSession] = {}

    def get(self, client_id: uuid.UUID) -> BrokerSession | None:
        """Return the client's session in this process, if any."""
        return self._sessions.get(client_id)

    def put(self, client_id: uuid.UUID, session: BrokerSession) -> None:
        """Register the client's session."""
        self._sessions[client_id] = session

    def health(self) -> SessionsHealth:
        """Count sessions by state."""
        by_state: dict[str, int] = {}
        for session in self._sessions.values():
            by_state[session.state] = by_state.get(session.state, 0) + 1
        return SessionsHealth(total=len(self._sessions), by_state=by_state)

    async def close_all(self) -> None:
        """Close every session (process shutdown)."""
        sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            await session.close()
