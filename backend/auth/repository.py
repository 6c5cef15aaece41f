"""Queries on users and refresh tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.models import RefreshToken, User


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    """Return the user with this email (case-insensitive), if visible in the session's scope."""
    result = await session.execute(select(User).where(User.email == email.strip().lower()))
    return result.scalar_one_or_none()


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    """Return the user by id, if visible in the session's scope."""
    return await session.get(User, user_id)


# Built once: every API read and every open stream's periodic re-check asks this, so it runs one
# prepared statement and loads no entity (and leaves no identity map or instance state to collect).
_ACTIVE_MEMBER = select(User.id).where(
    User.id == bindparam("user_id"), User.client_id == bindparam("client_id"), User.is_active
)


async def is_active_member(session: AsyncSession, user_id: uuid.UUID, client_id: uuid.UUID) -> bool:
    """Tell whether the user exists, is active and belongs to the client."""
    connection = await session.connection()  # Core: the check needs no ORM step
    found = await connection.execute(_ACTIVE_MEMBER, {"user_id": user_id, "client_id": client_id})
    return found.first() is not None


async def get_refresh_token(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    """Return the refresh token row with this hash."""
    result = await session.execute(select(RefreshToken).where(RefreshToken.token_hash == token_hash))
    return result.scalar_one_or_none()


async def claim_refresh_token(session: AsyncSession, token_id: uuid.UUID, now: datetime) -> bool:
    """Mark the token used if nobody did first; True when this caller won."""
    result = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token_id, RefreshToken.used_at.is_(None), RefreshToken.revoked_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def revoke_family(session: AsyncSession, family_id: uuid.UUID, now: datetime) -> None:
    """Revoke every token of a family."""
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
