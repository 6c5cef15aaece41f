"""Operators switch a client user's access off and on; switched off, the user is signed out everywhere at once."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.admin.client_schemas import UserAccessRead
from backend.audit.service import Actor, record
from backend.kit.errors import NotFound
from backend.models import RefreshToken, User
from backend.models.base import utcnow
from backend.models.user import ROLE_CLIENT
from backend.realtime.publishers import access_revoked
from backend.realtime.schemas import AccessEnded


async def client_user(db: AsyncSession, user_id: uuid.UUID) -> User:
    """Return a client's user by id; 404 for an operator, whose account is managed from the CLI."""
    user = await db.get(User, user_id)
    if user is None or user.role != ROLE_CLIENT:
        # Operators' own accounts are managed from the CLI, not by one another through the console.
        raise NotFound("No such client user", code="user_not_found")
    return user


async def end_sessions(db: AsyncSession, user: User, why: AccessEnded) -> int:
    """Revoke every live refresh token of the user and close its streams once this commits; return how many."""
    now = utcnow()  # the wall clock, as every refresh-token timestamp
    live = (RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
    revoked = await db.scalar(select(func.count()).select_from(RefreshToken).where(*live))
    await db.execute(update(RefreshToken).where(*live).values(revoked_at=now))
    access_revoked(db, user.client_id, user.id, why)
    return int(revoked or 0)


async def set_access(
    db: AsyncSession, user_id: uuid.UUID, *, active: bool, reason: str, actor: Actor
) -> UserAccessRead:
    """Deactivate (signing the user out everywhere) or reactivate a client user, audited with the reason.

    Asking for the state the user is already in changes nothing and records nothing.
    """
    user = await client_user(db, user_id)
    if user.is_active == active:
        return UserAccessRead(user_id=user.id, is_active=active, changed=False, revoked_sessions=0)
    user.is_active = active
    # Every request and every open stream checks the user's standing, so access tokens already
    # issued stop working too; ending the sessions stops their refresh and closes the streams now.
    revoked = 0 if active else await end_sessions(db, user, "deactivated")
    await db.flush()
    await record(
        db,
        actor=actor,
        action="user.activated" if active else "user.deactivated",
        client_id=user.client_id,
        subject=f"user:{user.id}",
        data={"reason": reason, "revoked_sessions": revoked},
    )
    return UserAccessRead(user_id=user.id, is_active=active, changed=True, revoked_sessions=revoked)
