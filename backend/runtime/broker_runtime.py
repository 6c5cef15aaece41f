"""Builds, holds and persists this process's broker sessions, one per client, from their broker accounts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.brokers.base import BrokerPort
from backend.brokers.simulator.clock import Clock
from backend.config import Settings
from backend.credentials.cipher import CredentialCipher
from backend.credentials.service import load_credentials
from backend.kit.db import TenantScope, scoped_session
from backend.kit.errors import Conflict
from backend.models import BrokerAccount
from backend.runtime.broker_factory import BrokerFactory, BrokerSpec, Snapshotting
from backend.runtime.broker_sessions import BrokerSessionRegistry, ManagedSession
from backend.runtime.market_host import MarketHost
from backend.runtime.simulator_store import SimulatorStore

logger = logging.getLogger("greekdesk.brokers")


class RemoteOwner(Protocol):
    """In an API process: where a client's broker really is (the worker holding its lease)."""

    def broker(self, client_id: uuid.UUID) -> BrokerPort:
        """Return a broker whose calls run in the owner."""
        ...

    async def command(self, client_id: uuid.UUID, name: str) -> None:
        """Have the owner rebuild or discard the client's session."""
        ...

    async def call(self, client_id: uuid.UUID, method: str, *args: Any) -> Any:
        """Run a command in the owner and return its answer."""
        ...


class BrokerNotConfigured(Conflict):
    """The client has no active broker account yet."""

    code = "broker_not_configured"


class BrokerRuntime:
    """The broker side of this process: the simulated market, the sessions, their persistence."""

    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        cipher: CredentialCipher,
        clock: Clock | None = None,
    ) -> None:
        self._settings = settings
        self._sessions = sessions
        self._cipher = cipher
        self.store = SimulatorStore(sessions)
        self.market_host = MarketHost(settings, self.store, clock)
        self.factory = BrokerFactory(settings, self.market_host, self.store, sessions=sessions, cipher=cipher)
        self.registry = BrokerSessionRegistry()
        self._locks: defaultdict[uuid.UUID, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._saver: asyncio.Task[None] | None = None
        self._listeners: list[Callable[[ManagedSession], Awaitable[None]]] = []
        self._state_listeners: list[Callable[[ManagedSession], None]] = []
        # Set in an API process: sessions there only forward calls to the client's worker.
        self.remote: RemoteOwner | None = None
        # Set in a worker: a simulated account is saved only while this worker holds the client.
        self.save_guard: Callable[[uuid.UUID], bool] | None = None

    def add_connected_listener(self, listener: Callable[[ManagedSession], Awaitable[None]]) -> None:
        """Run `listener` every time a session (re)connects: reconciliation, event consumers."""
        self._listeners.append(listener)

    def add_state_listener(self, listener: Callable[[ManagedSession], None]) -> None:
        """Call `listener` (without waiting) each time a session's connection state changes."""
        self._state_listeners.append(listener)

    def _state_changed(self, session: ManagedSession) -> None:
        for listener in self._state_listeners:
            listener(session)

    async def _connected(self, session: ManagedSession) -> None:
        for listener in self._listeners:
            await listener(session)

    def start(self) -> None:
        """Start saving simulator state periodically."""
        if self._saver is None:
            self._saver = asyncio.create_task(self._save_periodically(), name="simulator-saver")

    def attached(self, client_id: uuid.UUID) -> bool:
        """Say, without the database, whether `session_for` has a session at hand (or a worker to ask)."""
        return self.remote is not None or self.registry.get(client_id) is not None

    async def session_for(self, client_id: uuid.UUID) -> ManagedSession:
        """Return the client's session, building and starting it from its broker account on first use."""
        existing = self.registry.get(client_id)
        if existing is not None:
            return existing
        async with self._locks[client_id]:
            existing = self.registry.get(client_id)
            if existing is not None:
                return existing
            return await self._start(client_id)

    async def rebuild(self, client_id: uuid.UUID) -> ManagedSession:
        """Close the client's session (saving it) and build a new one from the stored account."""
        if self.remote is not None:
            await self.remote.command(client_id, "rebuild")
        async with self._locks[client_id]:
            previous = self.registry.pop(client_id)
            if previous is not None:
                await self._save(previous)
                await previous.close()
            return await self._start(client_id)

    async def discard(self, client_id: uuid.UUID) -> None:
        """Close the client's session without saving it (its account is being replaced)."""
        if self.remote is not None:
            await self.remote.command(client_id, "discard")
        async with self._locks[client_id]:
            previous = self.registry.pop(client_id)
            if previous is not None:
                await previous.close()

    async def _start(self, client_id: uuid.UUID) -> ManagedSession:
        if self.remote is not None:
            broker, kind = self.remote.broker(client_id), "remote"
        else:
            spec = await self._spec(client_id)
            broker, kind = await self.factory.build(client_id, spec), spec.kind
        session = ManagedSession(
            client_id,
            kind,
            broker,
            connect_timeout=self._settings.broker_connect_timeout_seconds,
            on_connected=self._connected,
            on_state=self._state_changed,
        )
        self.registry.put(session)
        session.start()
        return session

    async def _spec(self, client_id: uuid.UUID) -> BrokerSpec:
        async with scoped_session(self._sessions, TenantScope.for_client(client_id)) as db:
            account = (
                await db.execute(
                    select(BrokerAccount).where(BrokerAccount.client_id == client_id, BrokerAccount.is_active)
                )
            ).scalar_one_or_none()
            if account is None:
                raise BrokerNotConfigured("Choose a broker first (PUT /clients/{id}/broker)")
            # Plaintext exists from here until the adapter is built; it is never logged or returned.
            return BrokerSpec(account.kind, dict(account.settings), load_credentials(self._cipher, account))

    async def save(self, client_id: uuid.UUID) -> None:
        """Persist the client's simulated account now (if it has one in this process)."""
        session = self.registry.get(client_id)
        if session is not None:
            await self._save(session)

    async def _save(self, session: ManagedSession) -> None:
        if self.save_guard is not None and not self.save_guard(session.client_id):
            return  # another worker may hold it now: its copy is the one that counts
        if isinstance(session.broker, Snapshotting):
            await self.store.save_account(session.client_id, session.broker.snapshot())

    async def save_all(self) -> None:
        """Persist every simulated account and the market."""
        for session in self.registry.all():
            await self._save(session)
        await self.market_host.save()

    async def _save_periodically(self) -> None:
        while True:
            await asyncio.sleep(self._settings.simulator_snapshot_seconds)
            try:
                await self.save_all()
            except Exception:
                logger.warning("could not save simulator state", exc_info=True)

    async def close(self) -> None:
        """Save state, stop every session and the market."""
        if self._saver is not None:
            self._saver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._saver
            self._saver = None
        try:
            await self.save_all()
        except Exception:
            logger.warning("could not save simulator state at shutdown", exc_info=True)
        await self.registry.close_all()
        await self.market_host.close()
