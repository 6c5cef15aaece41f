"""Single-use stream tickets: a short-lived stand-in for the access token in a WebSocket URL.

Only a hash of the ticket is stored, so the store never holds a usable credential. Redeeming
deletes it in the same step (GETDEL), so a ticket opens at most one stream in any process.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from redis.asyncio import Redis

from backend.auth.tokens import AccessClaims
from backend.models.base import utcnow

KEY_PREFIX = "greekdesk:stream-ticket:"


@dataclass(frozen=True, slots=True)
class IssuedTicket:
    """The ticket to hand to the browser, and when it stops working."""

    ticket: str
    expires_at: datetime


def _digest(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


def _dump(claims: AccessClaims) -> str:
    return json.dumps(
        {
            "user_id": str(claims.user_id),
            "role": claims.role,
            "client_id": str(claims.client_id) if claims.client_id else None,
            "expires_at": claims.expires_at.isoformat(),
            "session_id": str(claims.session_id) if claims.session_id else None,
        }
    )


def _load(raw: str) -> AccessClaims:
    data = json.loads(raw)
    return AccessClaims(
        user_id=uuid.UUID(data["user_id"]),
        role=data["role"],
        client_id=uuid.UUID(data["client_id"]) if data["client_id"] else None,
        expires_at=datetime.fromisoformat(data["expires_at"]),
        session_id=uuid.UUID(data["session_id"]) if data.get("session_id") else None,
    )


class StreamTickets:
    """Issues and redeems tickets that carry the issuing token's claims (and its expiry)."""

    def __init__(self, redis: Redis | None, ttl_seconds: float) -> None:
        self._redis = redis
        self._ttl = ttl_seconds
        self._local: dict[str, tuple[float, str]] = {}

    async def issue(self, claims: AccessClaims) -> IssuedTicket:
        """Mint a ticket for the bearer of `claims`."""
        ticket = secrets.token_urlsafe(32)
        key = _digest(ticket)
        if self._redis is not None:
            await self._redis.set(KEY_PREFIX + key, _dump(claims), px=int(self._ttl * 1000))
        else:
            self._forget_expired()
            self._local[key] = (time.monotonic() + self._ttl, _dump(claims))
        return IssuedTicket(ticket, utcnow() + timedelta(seconds=self._ttl))

    async def redeem(self, ticket: str) -> AccessClaims | None:
        """Use a ticket up: its claims the first time within its lifetime, None ever after."""
        key = _digest(ticket)
        if self._redis is not None:
            raw = await self._redis.getdel(KEY_PREFIX + key)
            return _load(str(raw)) if raw else None
        entry = self._local.pop(key, None)
        if entry is None or entry[0] < time.monotonic():
            return None
        return _load(entry[1])

    def _forget_expired(self) -> None:
        now = time.monotonic()
        for key in [k for k, (deadline, _) in self._local.items() if deadline < now]:
            del self._local[key]
