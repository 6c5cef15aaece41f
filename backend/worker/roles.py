"""Wire a process for its role: an API process forwards broker calls; a worker leases clients and serves them."""

from __future__ import annotations

import os
import secrets
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.agent.runtime import AgentRuntime
from backend.config import Settings
from backend.execution.service import ExecutionService
from backend.runtime.broker_runtime import BrokerRuntime
from backend.worker.commands import CommandServer
from backend.worker.leases import Lease, LeaseStore
from backend.worker.remote import RemoteChannel
from backend.worker.runner import LeaseRunner


def frames_redis(url: str) -> Redis:
    """Return a binary Redis client whose reads may block as long as a command waits."""
    return Redis.from_url(url, decode_responses=False, socket_connect_timeout=2, socket_timeout=None)


def worker_name(settings: Settings) -> str:
    """Return this worker's lease holder name: WORKER_ID, or host, pid and a random suffix."""
    # The suffix keeps a restarted worker with a reused pid from being mistaken for its predecessor.
    return settings.worker_id or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class LeaseFence:
    """The order path's fence in a worker: it writes for a client only under that client's lease."""

    def __init__(self, store: LeaseStore, held: Callable[[uuid.UUID], Lease | None]) -> None:
        self._store = store
        self._held = held

    async def allows(self, db: AsyncSession, client_id: uuid.UUID) -> bool:
        """Tell, in `db`'s transaction (locking the lease row), whether this worker still holds the client."""
        lease = self._held(client_id)
        return lease is not None and await self._store.holds(db, lease)


@dataclass
class ProcessRole:
    """What a split process runs besides the shared services; started and closed with the app."""

    redis: Redis
    runner: LeaseRunner | None = None
    server: CommandServer | None = None
    channel: RemoteChannel | None = field(default=None)

    def start(self) -> None:
        """Start the lease loop and the command server (workers)."""
        if self.runner is not None:
            self.runner.start()
        if self.server is not None:
            self.server.start()

    async def close(self) -> None:
        """Stop serving, release the leases, close the channel."""
        if self.server is not None:
            await self.server.close()
        if self.runner is not None:
            await self.runner.close()
        await self.redis.aclose()


def install_role(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    brokers: BrokerRuntime,
    agent: AgentRuntime,
    execution: ExecutionService,
) -> ProcessRole | None:
    """Equip the services for PROCESS_ROLE: nothing for `all`, a remote broker for `api`, leases for `worker`."""
    if settings.process_role == "all" or settings.redis_url is None:
        return None
    redis = frames_redis(settings.redis_url)
    key = settings.cluster_signing_key
    if settings.process_role == "api":
        # An API process never opens a broker session: its sessions forward to the lease holder.
        lookup = LeaseStore(sessions, "api", settings.lease_ttl_seconds)
        channel = RemoteChannel(redis, key, lookup, settings.remote_call_timeout_seconds)
        brokers.remote = channel
        return ProcessRole(redis, channel=channel)
    store = LeaseStore(sessions, worker_name(settings), settings.lease_ttl_seconds)
    runner = LeaseRunner(
        store,
        brokers,
        agent,
        redis,
        ttl_seconds=settings.lease_ttl_seconds,
        max_clients=settings.worker_max_clients,
    )
    brokers.save_guard = lambda client_id: runner.lease(client_id) is not None
    execution.fence = LeaseFence(store, runner.lease)
    server = CommandServer(redis, key, store, sessions, brokers, runner.lease)
    server.scanner = agent.scan_now
    server.in_flight = execution.in_flight
    return ProcessRole(redis, runner=runner, server=server)
