"""Who may open a client's stream: the same rule as ClientDep, checked on the WebSocket handshake.

A client user reads their own client's stream only; operators act on clients through /admin and
read no stream. Browsers cannot send headers on a WebSocket, so the credential comes in the URL:
an access token (`?token=`, the seed's form) or a single-use ticket (`?ticket=`, preferred, since
URLs end up in logs). The Origin header, when present, must be allowed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.auth import repository
from backend.auth.repository import Standing
from backend.auth.tokens import AccessClaims, InvalidToken, TokenIssuer
from backend.kit.db import TenantScope, scoped_session
from backend.models.user import ROLE_CLIENT
from backend.realtime.tickets import StreamTickets


class StreamRefused(Exception):
    """The handshake is refused: HTTP status, stable code and message for the error body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True, slots=True)
class StreamGrant:
    """An admitted reader: whose stream, for whom, until when."""

    client_id: uuid.UUID
    user_id: uuid.UUID
    expires_at: datetime
    session_id: uuid.UUID | None


def origin_allowed(origin: str | None, host: str | None, allowed: list[str]) -> bool:
    """Allow no Origin (not a browser), a listed origin, or the API's own origin."""
    if origin is None:
        return True
    if origin.rstrip("/") in {o.rstrip("/") for o in allowed}:
        return True
    return host is not None and urlsplit(origin).netloc.lower() == host.lower()


async def claims_from(
    tokens: TokenIssuer, tickets: StreamTickets, *, token: str | None, ticket: str | None
) -> AccessClaims:
    """Read the caller's claims from a ticket (used up here) or an access token."""
    if ticket:
        claims = await tickets.redeem(ticket)
        if claims is None:
            raise StreamRefused(401, "invalid_ticket", "The stream ticket is unknown, used or expired")
        return claims
    if not token:
        raise StreamRefused(401, "not_authenticated", "Pass ?ticket= (or ?token=) to open the stream")
    try:
        return tokens.verify_access(token)
    except InvalidToken as exc:
        raise StreamRefused(401, "invalid_token", "The access token is not valid") from exc


async def admit(
    sessions: async_sessionmaker[AsyncSession], client_id: uuid.UUID, claims: AccessClaims
) -> StreamGrant:
    """Admit a client user to their own client's stream only (another client's is 404, as in ClientDep)."""
    if claims.role != ROLE_CLIENT:
        raise StreamRefused(403, "role_forbidden", "Operators act on clients through /admin")
    if claims.client_id != client_id:
        raise StreamRefused(404, "client_not_found", "No such client")
    grant = StreamGrant(client_id, claims.user_id, claims.expires_at, claims.session_id)
    standing = await standing_of(sessions, grant)
    if standing is not Standing.ACTIVE:
        raise StreamRefused(401, standing.value, standing.refusal)
    return grant


async def standing_of(sessions: async_sessionmaker[AsyncSession], grant: StreamGrant) -> Standing:
    """Tell whether the reader still exists, is active, belongs to the client and is signed in."""
    async with scoped_session(sessions, TenantScope.for_client(grant.client_id)) as db:
        return await repository.member_standing(db, grant.user_id, grant.client_id, grant.session_id)
