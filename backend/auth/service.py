"""Login, refresh-token rotation with reuse detection, and logout."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit.service import Actor, open_cross_tenant, record
from backend.auth import repository
from backend.auth.passwords import Passwords
from backend.auth.throttle import LoginThrottle
from backend.auth.tokens import TokenIssuer
from backend.kit.errors import Unauthorized
from backend.models import RefreshToken, User
from backend.models.base import utcnow
from backend.realtime.publishers import access_revoked


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    """A new access token and refresh token for one user."""

    access_token: str
    refresh_token: str
    expires_in: int
    user: User


_BAD_LOGIN = "Invalid username or password"
_BAD_REFRESH = "The refresh token is not valid"


def _actor(user: User) -> Actor:
    return Actor("operator" if user.role == "operator" else "user", str(user.id))


async def login(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    address: str,
    passwords: Passwords,
    tokens: TokenIssuer,
    throttle: LoginThrottle,
) -> IssuedTokens:
    """Check a password login (throttled) and issue tokens; failures are audited and kept."""
    await throttle.check(username, address)
    # The user's tenant is unknown until we find them: the audited cross-tenant path.
    await open_cross_tenant(session, actor=Actor.system("auth"), reason="login lookup")
    user = await repository.get_user_by_email(session, username)
    valid = passwords.verify(user.password_hash if user else None, password)
    if not valid or user is None or not user.is_active:
        await throttle.record_failure(username, address)
        await record(
            session,
            actor=Actor.system("auth"),
            action="auth.login_failed",
            client_id=user.client_id if user else None,
            subject=f"user:{user.id}" if user else None,
            data={"address": address, "reason": "inactive" if user and valid else "bad_credentials"},
        )
        # The request fails, but its audit record must not be rolled back with it.
        await session.commit()
        raise Unauthorized(_BAD_LOGIN, code="invalid_credentials")
    await throttle.record_success(username, address)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash(password)
    user.last_login_at = utcnow()
    await record(
        session,
        actor=_actor(user),
        action="auth.login",
        client_id=user.client_id,
        subject=f"user:{user.id}",
        data={"address": address},
    )
    return await _issue(session, user, tokens, family_id=uuid.uuid4())


async def refresh(session: AsyncSession, *, refresh_token: str, tokens: TokenIssuer) -> IssuedTokens:
    """Rotate a refresh token; a token presented twice revokes its whole family."""
    await open_cross_tenant(session, actor=Actor.system("auth"), reason="refresh token lookup")
    row = await repository.get_refresh_token(session, tokens.hash_refresh_token(refresh_token))
    now = utcnow()
    if row is None:
        raise Unauthorized(_BAD_REFRESH, code="invalid_refresh_token")
    if (
        row.used_at is not None
        or row.revoked_at is not None
        or not await repository.claim_refresh_token(session, row.id, now)
    ):
        await _revoke(
            session, row, reason="reuse_detected" if row.revoked_at is None else "revoked_token_presented"
        )
        raise Unauthorized(_BAD_REFRESH, code="refresh_token_reused")
    user = await repository.get_user(session, row.user_id)
    if row.expires_at <= now or user is None or not user.is_active:
        raise Unauthorized(_BAD_REFRESH, code="invalid_refresh_token")
    return await _issue(session, user, tokens, family_id=row.family_id)


async def logout(session: AsyncSession, *, refresh_token: str, tokens: TokenIssuer) -> None:
    """Revoke the refresh token's family; unknown tokens are ignored (logout is idempotent)."""
    await open_cross_tenant(session, actor=Actor.system("auth"), reason="logout")
    row = await repository.get_refresh_token(session, tokens.hash_refresh_token(refresh_token))
    if row is not None and row.revoked_at is None:
        await repository.revoke_family(session, row.family_id, utcnow())
        access_revoked(session, row.client_id, row.user_id, "signed_out")
        await record(
            session,
            actor=Actor("user", str(row.user_id)),
            action="auth.logout",
            client_id=row.client_id,
            subject=f"user:{row.user_id}",
        )


async def _revoke(session: AsyncSession, row: RefreshToken, *, reason: str) -> None:
    await repository.revoke_family(session, row.family_id, utcnow())
    access_revoked(session, row.client_id, row.user_id, "refresh_token_reused")
    await record(
        session,
        actor=Actor.system("auth"),
        action="auth.refresh_family_revoked",
        client_id=row.client_id,
        subject=f"user:{row.user_id}",
        data={"reason": reason, "family_id": str(row.family_id)},
    )
    # Keep the revocation even though this request is refused.
    await session.commit()


async def _issue(
    session: AsyncSession, user: User, tokens: TokenIssuer, *, family_id: uuid.UUID
) -> IssuedTokens:
    refresh_token = tokens.new_refresh_token()
    now = utcnow()
    session.add(
        RefreshToken(
            user_id=user.id,
            client_id=user.client_id,
            family_id=family_id,
            token_hash=tokens.hash_refresh_token(refresh_token),
            issued_at=now,
            expires_at=now + tokens.refresh_ttl,
        )
    )
    await session.flush()
    return IssuedTokens(
        access_token=tokens.issue_access(user.id, user.role, user.client_id, session_id=family_id),
        refresh_token=refresh_token,
        expires_in=int(tokens.access_ttl.total_seconds()),
        user=user,
    )
