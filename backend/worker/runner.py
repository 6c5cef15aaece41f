"""The lease loop of a worker: renew what it holds, shed above its fair share, take free clients.

Every round (a third of the lease time-to-live, with jitter): renew every lease in one statement
and stop at once each client whose renewal failed; count the live workers (a heartbeat set in
Redis); give one client back when holding more than the fair share; then acquire free or expired
leases, in random order, up to the share. Acquiring a client opens its broker session, and the
session's connect listeners start its order sync and agent loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
import time
import uuid

from redis.asyncio import Redis

from backend.agent.runtime import AgentRuntime
from backend.kit.errors import AppError
from backend.kit.metrics import CLIENT_LEASES
from backend.runtime.broker_factory import Snapshotting
from backend.runtime.broker_runtime import BrokerRuntime
from backend.worker.leases import Lease, LeaseStore

logger = logging.getLogger("greekdesk.worker")
WORKERS_KEY = "greekdesk:workers"


class LeaseRunner:
    """Holds client leases for this worker and runs exactly the clients it holds."""

    def __init__(
        self,
        store: LeaseStore,
        brokers: BrokerRuntime,
        agent: AgentRuntime,
        redis: Redis,
        *,
        ttl_seconds: float,
        max_clients: int = 0,
    ) -> None:
        self.store = store
        self._brokers = brokers
        self._agent = agent
        self._redis = redis
        self._ttl = ttl_seconds
        self._max_clients = max_clients
        self._held: dict[uuid.UUID, Lease] = {}
        self._savers: dict[uuid.UUID, asyncio.Task[None]] = {}
        self._renewed_at = time.monotonic()
        self._task: asyncio.Task[None] | None = None

    def lease(self, client_id: uuid.UUID) -> Lease | None:
        """Return this worker's lease on the client, if it holds one."""
        return self._held.get(client_id)

    @property
    def held(self) -> list[uuid.UUID]:
        """Return the clients this worker holds."""
        return list(self._held)

    def start(self) -> None:
        """Start the lease loop."""
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="client-leases")

    async def _loop(self) -> None:
        while True:
            try:
                await self.step()
            except Exception:
                logger.exception("lease round failed")
                if time.monotonic() - self._renewed_at >= self._ttl:
                    # Unrenewed for a whole time-to-live: the leases may belong to others now.
                    await self._stop_all()
            await asyncio.sleep(self._ttl / 3 * random.uniform(0.8, 1.0))  # noqa: S311

    async def step(self) -> None:
        """Run one round: renew, shed, acquire."""
        kept = await self.store.renew(list(self._held.values()))
        self._renewed_at = time.monotonic()
        kept_ids = {lease.client_id for lease in kept}
        for client_id in [c for c in self._held if c not in kept_ids]:
            logger.warning("client lease lost; stopping the client", extra={"client_id": str(client_id)})
            await self._stop(client_id)
        workers = await self._heartbeat()
        leasable = await self.store.leasable()
        for client_id in [c for c in self._held if c not in leasable]:
            await self._give_back(client_id)  # its broker account was removed
        share = math.ceil(len(leasable) / workers) if leasable else 0
        if self._max_clients:
            share = min(share, self._max_clients)
        if len(self._held) > share:
            await self._give_back(random.choice(list(self._held)))  # noqa: S311
            return
        taken = await self.store.live_holders()
        free = [client_id for client_id in leasable if client_id not in taken and client_id not in self._held]
        random.shuffle(free)
        for client_id in free[: max(0, share - len(self._held))]:
            lease = await self.store.acquire(client_id)
            if lease is not None:
                await self._start(lease)
        CLIENT_LEASES.set(len(self._held))

    async def _heartbeat(self) -> int:
        now = time.time()
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(WORKERS_KEY, {self.store.holder: now + self._ttl})
            pipe.zremrangebyscore(WORKERS_KEY, "-inf", now)
            pipe.zcard(WORKERS_KEY)
            *_, count = await pipe.execute()
        return max(1, int(count))

    async def _start(self, lease: Lease) -> None:
        self._held[lease.client_id] = lease
        logger.info("client lease acquired", extra={"client_id": str(lease.client_id), "token": lease.token})
        try:
            session = await self._brokers.session_for(lease.client_id)
        except AppError as exc:
            logger.warning("could not open a leased client's session", extra={"code": exc.code})
            await self._give_back(lease.client_id)
            return
        if isinstance(session.broker, Snapshotting):
            self._savers[lease.client_id] = asyncio.create_task(self._save_on_order_events(lease.client_id))

    async def _save_on_order_events(self, client_id: uuid.UUID) -> None:
        # A simulated account lives only in this process until saved: saving after every order
        # event means a worker that dies leaves its successor the account with every order in it.
        while client_id in self._held:
            session = self._brokers.registry.get(client_id)
            if session is None:
                await asyncio.sleep(0.5)
                continue
            # A rebuilt session ends this stream; the loop then follows its successor.
            async with session.broker.order_events() as events:
                async for _ in events:
                    try:
                        await self._brokers.save(client_id)
                    except Exception:
                        logger.warning("could not save a simulated account", exc_info=True)
            await asyncio.sleep(0.1)

    async def _stop(self, client_id: uuid.UUID, *, save: bool = False) -> None:
        saver = self._savers.pop(client_id, None)
        if saver is not None:
            saver.cancel()
            await asyncio.gather(saver, return_exceptions=True)
        await self._agent.stop(client_id)
        if save:
            await self._brokers.save(client_id)
        # Whatever happens next, this process no longer writes for the client.
        self._held.pop(client_id, None)
        await self._brokers.discard(client_id)
        CLIENT_LEASES.set(len(self._held))

    async def _give_back(self, client_id: uuid.UUID) -> None:
        lease = self._held.get(client_id)
        if lease is None:
            return
        await self._stop(client_id, save=True)
        await self.store.release(lease)
        logger.info("client lease released", extra={"client_id": str(client_id)})

    async def _stop_all(self) -> None:
        for client_id in list(self._held):
            await self._stop(client_id)

    async def close(self) -> None:
        """Stop the loop, save and stop every client, and release the leases for a quick takeover."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for client_id in list(self._held):
            try:
                await self._give_back(client_id)
            except Exception:
                logger.warning("could not release a lease at shutdown", exc_info=True)
        with contextlib.suppress(Exception):
            await self._redis.zrem(WORKERS_KEY, self.store.holder)
