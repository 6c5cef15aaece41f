"""The process's one simulated market: built on first use, moved by a background task, persisted."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from typing import Any

from backend.brokers.simulator import MarketConfig, SimulatedMarket
from backend.brokers.simulator.clock import Clock, WallClock
from backend.config import Settings
from backend.runtime.simulator_store import SimulatorStore

logger = logging.getLogger("greekdesk.simulator")


class MarketHost:
    """Owns the shared `SimulatedMarket` of this process."""

    def __init__(self, settings: Settings, store: SimulatorStore, clock: Clock | None = None) -> None:
        self._settings = settings
        self._clock: Clock = clock or WallClock()
        self._store = store
        self._market: SimulatedMarket | None = None
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def _config(self) -> MarketConfig:
        s = self._settings
        return MarketConfig(
            seed=s.simulator_seed,
            step=timedelta(seconds=s.simulator_step_seconds),
            always_open=s.simulator_is_always_open,
            risk_free_rate=float(s.risk_free_rate),
        )

    def _fingerprint(self) -> dict[str, Any]:
        # A snapshot only continues the same paths under the same seed and grid.
        return {"seed": self._settings.simulator_seed, "step": self._settings.simulator_step_seconds}

    async def market(self) -> SimulatedMarket:
        """Return the market, restoring the saved one and starting its clock on first use."""
        async with self._lock:
            if self._market is None:
                # Building loads the exchange calendar and restoring may catch up on downtime:
                # both are CPU work that must not stall the event loop.
                self._market = await asyncio.to_thread(self._build, await self._store.load_market())
                self._task = asyncio.create_task(
                    self._market.run(interval=self._settings.simulator_tick_seconds), name="simulated-market"
                )
            return self._market

    def _build(self, saved: dict[str, Any] | None) -> SimulatedMarket:
        market = SimulatedMarket(self._config(), clock=self._clock)
        if saved and saved.get("fingerprint") == self._fingerprint():
            synced_at = datetime.fromisoformat(saved["market"]["synced_at"])
            if synced_at > self._clock.now():
                # Saved by a run on a clock ahead of this one (a backtest): its prices would be from the
                # future and every quote would look stale to the gate.
                logger.warning("the saved simulator market is ahead of this clock; starting a fresh market")
                return market
            market.restore(saved["market"])
            market.sync()
        elif saved:
            logger.warning("simulator settings changed since the last run; starting a fresh market")
        return market

    @property
    def started(self) -> bool:
        """Tell whether the market has been built in this process."""
        return self._market is not None

    async def save(self) -> None:
        """Persist the market's paths."""
        if self._market is not None:
            await self._store.save_market(
                {"fingerprint": self._fingerprint(), "market": self._market.snapshot()}
            )

    async def close(self) -> None:
        """Stop the clock and persist the market."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.save()
