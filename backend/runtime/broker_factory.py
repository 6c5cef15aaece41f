"""Build a client's broker adapter from its broker account (kind, settings, decrypted secret)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from backend.brokers.base import BrokerPort
from backend.brokers.ibkr.adapter import IbkrBroker
from backend.brokers.ibkr.config import IbkrSettings
from backend.brokers.simulator import AccountConfig, SimulatorBroker
from backend.config import Settings
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

    def __init__(self, settings: Settings, market_host: MarketHost, store: SimulatorStore) -> None:
        self._settings = settings
        self._market_host = market_host
        self._store = store
        self._builders: dict[str, Builder] = {"simulator": self._simulator, "ibkr": self._ibkr}

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
        return await builder(client_id, spec)

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
        return IbkrBroker(IbkrSettings.model_validate(spec.secret), rate=float(self._settings.risk_free_rate))
