"""Client leases in the database: acquire a free or expired one, renew it, release it, fence with it.

A lease is a row (client_id, holder, token, expires_at). Acquiring is one conditional upsert: it
succeeds only when there is no row or the row has expired, and it raises `token` by one, so every
acquisition of a client carries a higher token than any before it. The holder renews before the
time-to-live runs out; a renewal that matches no row means the lease was lost. Times come from
the workers' clocks, which must be kept in step (NTP); the time-to-live absorbs small skew.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.brokers.errors import OrderRejected
from backend.kit.db import NO_TENANT, scoped_session
from backend.models import BrokerAccount, ClientLease
from backend.models.base import utcnow


@dataclass(frozen=True, slots=True)
class Lease:
    """A lease this worker holds: the token fences every write it makes for the client."""

    client_id: uuid.UUID
    holder: str
    token: int


class LeaseStore:
    """Leases of one holder (a worker), with a fixed time-to-live."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        holder: str,
        ttl_seconds: float,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self.holder = holder
        self._ttl = timedelta(seconds=ttl_seconds)
        self._clock = clock

    async def leasable(self) -> set[uuid.UUID]:
        """Return the clients that have an active broker account (each needs a worker)."""
        async with scoped_session(self._sessions, NO_TENANT) as db:
            if db.get_bind().dialect.name == "postgresql":
                # The app role cannot read broker accounts across tenants; this function returns ids only.
                rows = await db.execute(text("SELECT leasable_clients()"))
            else:
                rows = await db.execute(select(BrokerAccount.client_id).where(BrokerAccount.is_active))
            return set(rows.scalars())

    async def live_holders(self) -> dict[uuid.UUID, str]:
        """Return each unexpired lease's holder."""
        async with scoped_session(self._sessions, NO_TENANT) as db:
            rows = await db.execute(
                select(ClientLease.client_id, ClientLease.holder).where(
                    ClientLease.expires_at > self._clock()
                )
            )
            return {client_id: holder for client_id, holder in rows}

    async def holder_of(self, client_id: uuid.UUID) -> str | None:
        """Return the worker that holds the client's unexpired lease, if any."""
        async with scoped_session(self._sessions, NO_TENANT) as db:
            return (
                await db.execute(
                    select(ClientLease.holder).where(
                        ClientLease.client_id == client_id, ClientLease.expires_at > self._clock()
                    )
                )
            ).scalar_one_or_none()

    async def acquire(self, client_id: uuid.UUID) -> Lease | None:
        """Take the client's lease if it is free or expired; return it with its new, higher token."""
        now = self._clock()
        async with scoped_session(self._sessions, NO_TENANT) as db:
            dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
            statement = dialect.insert(ClientLease).values(
                client_id=client_id, holder=self.holder, token=1, expires_at=now + self._ttl
            )
            statement = statement.on_conflict_do_update(
                index_elements=[ClientLease.client_id],
                set_={
                    "holder": statement.excluded.holder,
                    "token": ClientLease.token + 1,
                    "expires_at": statement.excluded.expires_at,
                },
                where=ClientLease.expires_at <= now,
            ).returning(ClientLease.token)
            token = (await db.execute(statement)).scalar_one_or_none()
        return None if token is None else Lease(client_id, self.holder, int(token))

    async def renew(self, leases: list[Lease]) -> list[Lease]:
        """Extend every lease still held (same holder and token, not expired); return those."""
        if not leases:
            return []
        now = self._clock()
        async with scoped_session(self._sessions, NO_TENANT) as db:
            rows = await db.execute(
                update(ClientLease)
                .where(
                    ClientLease.holder == self.holder,
                    ClientLease.expires_at > now,
                    ClientLease.client_id.in_([lease.client_id for lease in leases]),
                )
                .values(expires_at=now + self._ttl)
                .returning(ClientLease.client_id, ClientLease.token)
                .execution_options(synchronize_session=False)
            )
            held = {client_id: token for client_id, token in rows}
        # A row with another token was lost and re-acquired in between: that is not this lease.
        return [lease for lease in leases if held.get(lease.client_id) == lease.token]

    async def release(self, lease: Lease) -> None:
        """Give the lease up at once (the row stays, expired, so the next token is still higher)."""
        async with scoped_session(self._sessions, NO_TENANT) as db:
            await db.execute(
                update(ClientLease)
                .where(
                    ClientLease.client_id == lease.client_id,
                    ClientLease.holder == lease.holder,
                    ClientLease.token == lease.token,
                )
                .values(expires_at=self._clock())
                .execution_options(synchronize_session=False)
            )

    async def holds(self, db: AsyncSession, lease: Lease) -> bool:
        """Tell, inside `db`'s transaction, whether `lease` is still ours; lock its row until commit.

        The row lock makes a takeover wait until this transaction commits, so what is written
        under the lease is never written after another worker acquired it.
        """
        row = (
            await db.execute(
                select(ClientLease.token)
                .where(
                    ClientLease.client_id == lease.client_id,
                    ClientLease.holder == lease.holder,
                    ClientLease.token == lease.token,
                    ClientLease.expires_at > self._clock(),
                )
                .with_for_update()
            )
        ).scalar_one_or_none()
        return row is not None


class LeaseLost(OrderRejected):
    """This worker no longer holds the client's lease: the order or cancel is refused, never sent."""

    code = "lease_lost"
