"""Per-client broker sessions: connected with backoff, reconnected after a drop, visible to health checks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from backend.brokers.base import BrokerPort, ConnectionState
from backend.brokers.errors import BrokerError
from backend.brokers.retry import RetryPolicy
from backend.models.base import utcnow
from backend.runtime.broker_factory import dispose

logger = logging.getLogger("greekdesk.brokers")

# Reconnecting never gives up on a temporary failure; the policy only shapes the waits.
RECONNECT_BACKOFF = RetryPolicy(max_attempts=1_000_000, base_delay=0.5, max_delay=30.0, deadline=float("inf"))


@dataclass(frozen=True, slots=True)
class SessionStatus:
    """What a client (and /health/ready) may know about a session."""

    kind: str
    state: str
    last_error: str | None
    connected_at: datetime | None
    reconnects: int


class ManagedSession:
    """Owns one client's adapter: connects it, watches it, reconnects it with jittered backoff.

    A permanent failure (refused credentials, unknown account) stops the loop in FAILED until a
    person reconnects or changes the settings; temporary failures are retried without end.
    """

    def __init__(
        self,
        client_id: uuid.UUID,
        kind: str,
        broker: BrokerPort,
        *,
        connect_timeout: float,
        backoff: RetryPolicy = RECONNECT_BACKOFF,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        on_connected: Callable[[ManagedSession], Awaitable[None]] | None = None,
        on_state: Callable[[ManagedSession], None] | None = None,
    ) -> None:
        self.client_id = client_id
        self.kind = kind
        self.broker = broker
        self._connect_timeout = connect_timeout
        self._backoff = backoff
        self._sleep = sleep
        self._on_connected = on_connected
        self._on_state = on_state
        self._reported_state: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()
        self._failed = False
        self.last_error: str | None = None
        self.connected_at: datetime | None = None
        self.reconnects = 0

    @property
    def state(self) -> str:
        """Return connected, connecting, disconnected or failed."""
        if self._failed:
            return ConnectionState.FAILED.value
        return self.broker.state.value

    def status(self) -> SessionStatus:
        """Return the session's status."""
        return SessionStatus(self.kind, self.state, self.last_error, self.connected_at, self.reconnects)

    def start(self) -> None:
        """Start connecting in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._supervise(), name=f"broker-session-{self.client_id}")

    async def wait_connected(self, within: float) -> bool:
        """Wait up to `within` seconds for the session to be connected."""
        if self._failed:
            return False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._connected.wait(), within)
        return self.broker.state is ConnectionState.CONNECTED

    async def _supervise(self) -> None:
        attempt = 0
        while True:
            if await self._connect_once():
                attempt = 0
                await self._connected_hook()
                await self._until_dropped()
                self.reconnects += 1
            elif self._failed:
                return
            attempt += 1
            # Full jitter spreads many clients' reconnects after a shared outage.
            await self._sleep(random.uniform(0.0, self._backoff.backoff_cap(attempt)))  # noqa: S311

    async def _connect_once(self) -> bool:
        self._connected.clear()
        try:
            await asyncio.wait_for(self.broker.connect(), self._connect_timeout)
        except TimeoutError:
            self.last_error = f"no answer within {self._connect_timeout:g}s"
        except BrokerError as error:
            self.last_error = f"{error.code}: {error.message}"
            if not error.temporary:
                self._failed = True
                logger.warning(
                    "broker session failed permanently", extra={"kind": self.kind, "code": error.code}
                )
        except OSError as error:
            self.last_error = f"network error: {type(error).__name__}"
        else:
            self.last_error, self.connected_at = None, utcnow()
            self._connected.set()
            self._report_state()
            return True
        self._report_state()
        return False

    def _report_state(self) -> None:
        # Once per change: retries that fail the same way stay quiet.
        if self._on_state is None or self.state == self._reported_state:
            return
        self._reported_state = self.state
        try:
            self._on_state(self)
        except Exception:
            logger.exception("broker state listener failed", extra={"kind": self.kind})

    async def _connected_hook(self) -> None:
        if self._on_connected is None:
            return
        try:
            await self._on_connected(self)
        except Exception:
            logger.exception("broker session start-up work failed", extra={"kind": self.kind})

    async def _until_dropped(self) -> None:
        async with self.broker.connection_events() as events:
            if self.broker.state is not ConnectionState.CONNECTED:
                return
            async for event in events:
                if event.state in (ConnectionState.DISCONNECTED, ConnectionState.FAILED):
                    self.last_error = event.reason or f"connection {event.state.value}"
                    self._connected.clear()
                    self._report_state()
                    return

    async def close(self) -> None:
        """Stop reconnecting and close the adapter."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        with contextlib.suppress(BrokerError, OSError):
            await dispose(self.broker)


@dataclass(frozen=True, slots=True)
class SessionsHealth:
    """How the sessions of this process are doing."""

    total: int
    by_state: dict[str, int]


class BrokerSessionRegistry:
    """Holds each client's session in this process."""

    def __init__(self) -> None:
        self._sessions: dict[uuid.UUID, ManagedSession] = {}

    def get(self, client_id: uuid.UUID) -> ManagedSession | None:
        """Return the client's session in this process, if any."""
        return self._sessions.get(client_id)

    def put(self, session: ManagedSession) -> ManagedSession | None:
        """Register a session; return the one it replaces (the caller closes it)."""
        previous = self._sessions.get(session.client_id)
        self._sessions[session.client_id] = session
        return previous

    def pop(self, client_id: uuid.UUID) -> ManagedSession | None:
        """Remove and return the client's session."""
        return self._sessions.pop(client_id, None)

    def all(self) -> list[ManagedSession]:
        """Return every session."""
        return list(self._sessions.values())

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
