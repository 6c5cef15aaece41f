"""Append audit records to their hash chain and verify chains."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit.chain import GENESIS_HASH, canonical_json, record_hash
from backend.kit.db import TenantScope, set_scope
from backend.models import AuditRecord
from backend.models.audit_log import GLOBAL_CHAIN
from backend.models.base import utcnow

_HEADS = "audit_chain_heads"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did something: a user, an operator, the agent or the system."""

    type: str
    id: str | None = None

    @classmethod
    def system(cls, name: str = "greekdesk") -> Actor:
        """The platform itself."""
        return cls("system", name)


async def record(
    session: AsyncSession,
    *,
    actor: Actor,
    action: str,
    client_id: uuid.UUID | None = None,
    subject: str | None = None,
    data: dict[str, Any] | None = None,
) -> AuditRecord:
    """Append one record to the chain of `client_id` (or the global chain) in this transaction."""
    chain = str(client_id) if client_id else GLOBAL_CHAIN
    seq, prev_hash = await _head(session, chain)
    # Round-trip through JSON so what we hash is exactly what the JSON column gives back.
    payload: dict[str, Any] = json.loads(canonical_json(data or {}))
    occurred_at = utcnow()
    entry = AuditRecord(
        chain=chain,
        seq=seq,
        occurred_at=occurred_at,
        client_id=client_id,
        actor_type=actor.type,
        actor_id=actor.id,
        action=action,
        subject=subject,
        data=payload,
        prev_hash=prev_hash,
    )
    entry.hash = _rehash(entry)
    session.add(entry)
    await session.flush()
    _heads(session)[chain] = (seq + 1, entry.hash)
    return entry


async def _head(session: AsyncSession, chain: str) -> tuple[int, str]:
    """Return the next seq and the previous hash of `chain`, holding its append lock until the transaction ends."""
    known = _heads(session).get(chain)
    if known is not None:
        # This transaction appended to the chain already: it holds the lock, so the head is still ours.
        return known
    dialect = session.bind.dialect.name if session.bind is not None else ""
    if dialect == "postgresql":
        # Serialise appenders of one chain; the (chain, seq) unique key is the backstop.
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": f"audit:{chain}"}
        )
    elif dialect == "sqlite":
        # SQLite has one writer: take its write lock before reading the chain head, so a concurrent
        # appender waits (busy timeout) instead of reading the same head and colliding on seq.
        await session.execute(text("UPDATE audit_log SET seq = seq WHERE 0 = 1"))
    last = (
        await session.execute(
            select(AuditRecord.seq, AuditRecord.hash)
            .where(AuditRecord.chain == chain)
            .order_by(AuditRecord.seq.desc())
            .limit(1)
        )
    ).first()
    return (last.seq + 1, last.hash) if last else (1, GENESIS_HASH)


def _heads(session: AsyncSession) -> dict[str, tuple[int, str]]:
    """Chain heads this session appended in its current (innermost) transaction.

    Kept per transaction object: a new transaction, or a savepoint's rollback back to the transaction
    that opened it, finds none and reads the head again under the lock.
    """
    sync = session.sync_session
    current = sync.get_nested_transaction() or sync.get_transaction()
    kept = session.info.get(_HEADS)
    if kept is None or kept[0] is not current:
        kept = (current, {})
        session.info[_HEADS] = kept
    heads: dict[str, tuple[int, str]] = kept[1]
    return heads


async def open_cross_tenant(
    session: AsyncSession, *, actor: Actor, reason: str, subject: str | None = None
) -> None:
    """Lift tenant scoping for this session: the one path across tenants, and it is audited."""
    await set_scope(session, TenantScope(cross_tenant=True))
    await record(session, actor=actor, action="access.cross_tenant", subject=subject, data={"reason": reason})


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first record of a chain that does not verify."""

    chain: str
    seq: int
    record_id: int
    problem: str


async def verify_chains(session: AsyncSession) -> list[ChainBreak]:
    """Recompute every visible chain; return the first break of each broken chain."""
    rows = (await session.execute(select(AuditRecord).order_by(AuditRecord.chain, AuditRecord.seq))).scalars()
    breaks: list[ChainBreak] = []
    expected: dict[str, tuple[int, str]] = {}
    broken: set[str] = set()
    for row in rows:
        if row.chain in broken:
            continue
        want_seq, want_prev = expected.get(row.chain, (1, GENESIS_HASH))
        problem = None
        if row.seq != want_seq:
            problem = f"expected seq {want_seq}, found {row.seq}"
        elif row.prev_hash != want_prev:
            problem = "prev_hash does not match the previous record"
        elif row.hash != _rehash(row):
            problem = "hash does not match the record's contents"
        if problem:
            breaks.append(ChainBreak(row.chain, row.seq, row.id, problem))
            broken.add(row.chain)
            continue
        expected[row.chain] = (row.seq + 1, row.hash)
    return breaks


def _rehash(row: AuditRecord) -> str:
    return record_hash(
        chain=row.chain,
        seq=row.seq,
        occurred_at=row.occurred_at,
        client_id=str(row.client_id) if row.client_id else None,
        actor_type=row.actor_type,
        actor_id=row.actor_id,
        action=row.action,
        subject=row.subject,
        data=row.data,
        prev_hash=row.prev_hash,
    )
