"""Operator views of one client and the operator's password reset (cross-tenant session required)."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.admin.client_schemas import ClientDetailRead, ClientUserRead, PasswordResetDone, TradingRead
from backend.admin.user_access import client_user, end_sessions
from backend.agent.status import agent_status
from backend.audit.service import Actor, record
from backend.broker_accounts.service import status as broker_status
from backend.clients.schemas import ClientRead
from backend.kit.container import Container
from backend.kit.errors import NotFound
from backend.models import Client, User
from backend.risk.usage import limits_usage

GENERATED_PASSWORD_BYTES = 18  # 24 url-safe characters, well past the minimum length


async def client_detail(db: AsyncSession, container: Container, client_id: uuid.UUID) -> ClientDetailRead:
    """Return the client with its users, broker session, agent modes, trading state and limits usage."""
    client = await db.get(Client, client_id)
    if client is None:
        raise NotFound("No such client", code="client_not_found")
    users = (
        await db.execute(select(User).where(User.client_id == client_id).order_by(User.created_at, User.id))
    ).scalars()
    client_read = ClientRead.model_validate(client)
    user_reads = [ClientUserRead.model_validate(u) for u in users]
    trading = await container.trading.status(client_id)
    broker = await broker_status(db, client_id, container.brokers)
    agent = await agent_status(db, container, client_id)
    usage = await limits_usage(db, container, client_id)
    return ClientDetailRead(
        client=client_read,
        users=user_reads,
        broker=broker,
        agent=agent,
        trading=TradingRead(
            global_state=trading.global_state.value,
            client_state=trading.client_state.value,
            effective=trading.effective.value,
        ),
        usage=usage,
    )


async def reset_password(
    db: AsyncSession, container: Container, user_id: uuid.UUID, password: str | None, *, actor: Actor
) -> PasswordResetDone:
    """Set the user's password (or a generated one, returned once) and end every session it has."""
    user = await client_user(db, user_id)
    generated = secrets.token_urlsafe(GENERATED_PASSWORD_BYTES) if password is None else None
    user.password_hash = container.passwords.hash(password if password is not None else str(generated))
    # A reset is often a response to a compromised account: no session opened with the old password survives.
    revoked = await end_sessions(db, user, "password_reset")
    await db.flush()
    await record(
        db,
        actor=actor,
        action="user.password_reset",
        client_id=user.client_id,
        subject=f"user:{user.id}",
        data={"generated": generated is not None, "revoked_sessions": revoked},
    )
    return PasswordResetDone(user_id=user.id, generated_password=generated, revoked_sessions=revoked)
