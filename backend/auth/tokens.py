"""Access tokens (short-lived JWT, one pinned algorithm) and opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from backend.config import Settings
from backend.models.base import utcnow

ALGORITHM = "HS256"
ACCESS_TYPE = "access"
REQUIRED_CLAIMS = ["exp", "iat", "nbf", "iss", "aud", "sub", "typ", "jti"]


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or not an access token of ours."""


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What an access token says about its bearer."""

    user_id: uuid.UUID
    role: str
    client_id: uuid.UUID | None
    expires_at: datetime
    # The sign-in (refresh-token family) that minted the token: logging out ends it, and with it
    # the token. None only for tokens minted before the claim existed (gone within one access TTL).
    session_id: uuid.UUID | None = None


class TokenIssuer:
    """Sign and check access tokens; mint and hash refresh tokens."""

    def __init__(self, settings: Settings) -> None:
        self._key = settings.jwt_signing_key
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self.access_ttl = timedelta(seconds=settings.access_token_ttl_seconds)
        self.refresh_ttl = timedelta(seconds=settings.refresh_token_ttl_seconds)

    def issue_access(
        self, user_id: uuid.UUID, role: str, client_id: uuid.UUID | None, *, session_id: uuid.UUID
    ) -> str:
        """Sign an access token for a user's sign-in session."""
        now = utcnow()
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": str(user_id),
            "role": role,
            "cid": str(client_id) if client_id else None,
            "sid": str(session_id),
            "typ": ACCESS_TYPE,
            "iat": now,
            "nbf": now,
            "exp": now + self.access_ttl,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def verify_access(self, token: str) -> AccessClaims:
        """Check signature, algorithm, time claims, audience, issuer and type; return the claims."""
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": REQUIRED_CLAIMS},
                leeway=5,
            )
            if claims.get("typ") != ACCESS_TYPE:
                raise InvalidToken("not an access token")
            cid, sid = claims.get("cid"), claims.get("sid")
            return AccessClaims(
                user_id=uuid.UUID(str(claims["sub"])),
                role=str(claims["role"]),
                client_id=uuid.UUID(cid) if cid else None,
                expires_at=datetime.fromtimestamp(int(claims["exp"]), tz=utcnow().tzinfo),
                session_id=uuid.UUID(sid) if sid else None,
            )
        except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
            raise InvalidToken(str(exc)) from exc

    @staticmethod
    def new_refresh_token() -> str:
        """Return a fresh, unguessable refresh token."""
        return secrets.token_urlsafe(32)

    @staticmethod
    def hash_refresh_token(token: str) -> str:
        """Return the stored form of a refresh token (we never keep the token itself)."""
        return hashlib.sha256(token.encode()).hexdigest()
