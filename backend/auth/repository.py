"""Queries on users and refresh tokens."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

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


class Standing(StrEnum):
    """Whether a signed-in caller may still act; otherwise why not, as the API's error code."""

    ACTIVE = "active"
    INACTIVE = "inactive_account"
    SIGNED_OUT = "session_revoked"

    @property
    def refusal(self) -> str:
        """What a caller refused with this standing is told."""
        if self is Standing.SIGNED_OUT:
            return "This sign-in has ended (signed out, or its refresh token was reused): sign in again"
        return "The account is not active"


# A sign-in ends when its refresh-token family is revoked (logout, or a refresh token presented twice);
# the access tokens it minted end with it. A token without a session id matches no family.
_SIGNED_OUT = (
    select(RefreshToken.id)
    .where(RefreshToken.family_id == bindparam("session_id"), RefreshToken.revoked_at.is_not(None))
    .exists()
)
# Built once: every API read and every open stream's periodic re-check asks this, so it runs one
# prepared statement and loads no entity (and leaves no identity map or instance state to collect).
_MEMBER_STANDING = select(User.is_active, _SIGNED_OUT).where(
    User.id == bindparam("user_id"), User.client_id == bindparam("client_id")
)


def _standing(active: bool, signed_out: bool) -> Standing:
    if not active:
        return Standing.INACTIVE
    return Standing.SIGNED_OUT if signed_out else Standing.ACTIVE


async def member_standing(
    session: AsyncSession, user_id: uuid.UUID, client_id: uuid.UUID, session_id: uuid.UUID | None
) -> Standing:
    """Tell whether the user exists, is active, belongs to the client and is still signed in."""
    connection = await session.connection()  # Core: the check needs no ORM step
    found = await connection.execute(
        _MEMBER_STANDING, {"user_id": user_id, "client_id": client_id, "session_id": session_id}
    )
    row = found.first()
    return Standing.INACTIVE if row is None else _standing(bool(row[0]), bool(row[1]))


async def signed_in_user(
    session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID | None
) -> tuple[User | None, Standing]:
    """Return the user by id (if visible in the session's scope) and whether they may still act."""
    result = await session.execute(
        select(User, _SIGNED_OUT).where(User.id == user_id), {"session_id": session_id}
    )
    row = result.first()
    if row is None:
        return None, Standing.INACTIVE
    user, signed_out = row
    return user, _standing(user.is_active, bool(signed_out))


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
