"""Build a client's broker adapter from its broker account (kind, settings, decrypted secret)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.brokers.base import BrokerPort
from backend.brokers.ibkr.adapter import IbkrBroker
from backend.brokers.ibkr.config import IbkrSettings
from backend.brokers.phillip.adapter import PhillipBroker
from backend.brokers.phillip.config import PhillipCredentials, PhillipSettings
from backend.brokers.simulator import AccountConfig, SimulatorBroker
from backend.config import Settings
from backend.credentials.cipher import CredentialCipher
from backend.runtime.endpoint_guard import EndpointGuard
from backend.runtime.grant_keeper import GrantKeeper
from backend.runtime.guarded_http import GuardedTransport
from backend.runtime.market_host import MarketHost
from backend.runtime.simulator_store import SimulatorStore


class BrokerKindUnavailable(Exception):
    """No adapter for this broker kind is installed in this build."""


@runtime_checkable
class Snapshotting(Protocol):
    """An adapter whose whole account state lives with us (the simulator) and must be saved."""

    def snapshot(self) -> dict[str, Any]:
        """Return the account state as JSON-serialisable data."""
        ...


@runtime_checkable
class Detaching(Protocol):
    """An in-process adapter that must stop reacting to its venue when this process drops it."""

    def detach(self) -> None:
        """Stop reacting to the venue."""
        ...


async def dispose(broker: BrokerPort) -> None:
    """Close an adapter this process is done with, and detach it from an in-process venue."""
    await broker.close()
    if isinstance(broker, Detaching):
        # Otherwise the dropped object would keep trading the account beside its replacement.
        broker.detach()


@dataclass(frozen=True, slots=True)
class BrokerSpec:
    """What a session is built from: never logged (``secret`` holds decrypted credentials)."""

    kind: str
    settings: dict[str, Any]
    secret: dict[str, Any] = field(repr=False)


Builder = Callable[[uuid.UUID, BrokerSpec], Awaitable[BrokerPort]]


class BrokerFactory:
    """Maps a broker kind to the code that builds its adapter; adapters register their builders."""

    def __init__(
        self,
        settings: Settings,
        market_host: MarketHost,
        store: SimulatorStore,
        *,
        sessions: async_sessionmaker[AsyncSession],
        cipher: CredentialCipher,
    ) -> None:
        self._settings = settings
        self._market_host = market_host
        self._store = store
        # Adapters whose credentials change while they run (refreshed OAuth grants) re-seal them here.
        self._sessions = sessions
        self._cipher = cipher
        self._guard = EndpointGuard(
            allow_private=settings.private_broker_endpoints_allowed, allowed=settings.broker_allowed_endpoints
        )
        self._builders: dict[str, Builder] = {
            "simulator": self._simulator,
            "ibkr": self._ibkr,
            "phillip": self._phillip,
        }

    def register(self, kind: str, builder: Builder) -> None:
        """Install the builder of a broker kind."""
        self._builders[kind] = builder

    @property
    def kinds(self) -> tuple[str, ...]:
        """Return the broker kinds this build can connect to."""
        return tuple(self._builders)

    async def build(self, client_id: uuid.UUID, spec: BrokerSpec) -> BrokerPort:
        """Build (not connect) the adapter for one client."""
        builder = self._builders.get(spec.kind)
        if builder is None:
            raise BrokerKindUnavailable(f"no adapter for broker kind {spec.kind!r} in this build")
        # Checked at every build, not only on save: settings saved under a looser policy stay usable
        # only while the deployment still allows them.
        await self.check_endpoint(spec)
        return await builder(client_id, spec)

    async def check_endpoint(self, spec: BrokerSpec) -> None:
        """Refuse (`BrokerEndpointRefused`) a spec whose client-entered endpoint may not be reached."""
        if spec.kind == "ibkr":
            ibkr = IbkrSettings.model_validate(spec.secret)
            await self._guard.check(ibkr.host, ibkr.port)
        elif spec.kind == "phillip":
            await self.check_phillip(PhillipSettings.model_validate(spec.settings))

    async def check_phillip(self, settings: PhillipSettings) -> None:
        """Refuse a POEMS gateway URL that may not be reached (onboarding calls it before any build)."""
        await self._guard.check_url(settings.base_url)

    def http_transport(self) -> httpx.AsyncBaseTransport:
        """Return a transport for a client-entered HTTP endpoint: connections only to addresses the guard checked."""
        return GuardedTransport(self._guard.pin)

    async def _simulator(self, client_id: uuid.UUID, spec: BrokerSpec) -> BrokerPort:
        starting_cash = Decimal(
            str(spec.settings.get("starting_cash", self._settings.simulator_starting_cash))
        )
        broker = SimulatorBroker(
            await self._market_host.market(),
            account_id=f"SIM-{client_id.hex[:8].upper()}",
            config=AccountConfig(starting_cash=starting_cash),
        )
        saved = await self._store.load_account(client_id)
        if saved is not None:
            broker.restore(saved)
        return broker

    async def _ibkr(self, client_id: uuid.UUID, spec: BrokerSpec) -> BrokerPort:
        # Everything a client enters for IBKR is sealed as credentials (host, port, account code).
        return IbkrBroker(
            IbkrSettings.model_validate(spec.secret),
            rate=float(self._settings.risk_free_rate),
            connect_to=self._guard.pin,
        )

    async def _phillip(self, client_id: uuid.UUID, spec: BrokerSpec) -> BrokerPort:
        credentials = PhillipCredentials.model_validate(spec.secret)
        return PhillipBroker(
            PhillipSettings.model_validate(spec.settings),
            credentials.app,
            credentials.tokens,
            transport=self.http_transport(),
            # Refresh tokens rotate: a refreshed grant not stored at once is lost at the next restart.
            on_tokens=GrantKeeper(self._sessions, self._cipher, client_id, credentials),
        )
