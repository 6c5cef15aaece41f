"""Who is calling: a client user scoped to their own client, or an operator."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit.service import Actor, open_cross_tenant
from backend.auth import repository
from backend.auth.repository import Standing
from backend.auth.tokens import AccessClaims, InvalidToken
from backend.kit.db import SCOPE_KEY, TenantScope
from backend.kit.deps import ContainerDep, SessionDep
from backend.kit.errors import Forbidden, NotFound, Unauthorized
from backend.kit.request_context import bind_client_id
from backend.models import User
from backend.models.user import ROLE_CLIENT, ROLE_OPERATOR

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/login", auto_error=False)
_BEARER = {"WWW-Authenticate": "Bearer"}


async def _claims(
    container: ContainerDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> AccessClaims:
    # async: verifying an HS256 token is microseconds, cheaper than a hop to the thread pool.
    if not token:
        raise Unauthorized("Sign in first: no bearer token", code="not_authenticated", headers=_BEARER)
    try:
        return container.tokens.verify_access(token)
    except InvalidToken as exc:
        raise Unauthorized("The access token is not valid", code="invalid_token", headers=_BEARER) from exc


ClaimsDep = Annotated[AccessClaims, Depends(_claims)]


def _require_standing(standing: Standing) -> None:
    if standing is not Standing.ACTIVE:
        raise Unauthorized(standing.refusal, code=standing.value, headers=_BEARER)


@dataclass(frozen=True, slots=True)
class ClientCaller:
    """A signed-in client user acting on their own client; `session` is scoped to that client."""

    user: User
    client_id: uuid.UUID
    session: AsyncSession

    @property
    def actor(self) -> Actor:
        """The audit actor for this caller."""
        return Actor("user", str(self.user.id))


@dataclass(frozen=True, slots=True)
class OperatorCaller:
    """A signed-in operator; `session` is on the audited cross-tenant path."""

    user: User
    session: AsyncSession

    @property
    def actor(self) -> Actor:
        """The audit actor for this caller."""
        return Actor("operator", str(self.user.id))


async def current_client(
    client_id: Annotated[uuid.UUID, Path(description="The client (tenant) id")],
    claims: ClaimsDep,
    session: SessionDep,
) -> ClientCaller:
    """Admit a client user to their own client only; any other client id is 404."""
    if claims.role != ROLE_CLIENT:
        raise Forbidden("Operators act on clients through /admin", code="role_forbidden")
    if claims.client_id != client_id:
        # 404, not 403: a caller must not learn which client ids exist.
        raise NotFound("No such client", code="client_not_found")
    session.info[SCOPE_KEY] = TenantScope.for_client(client_id)
    user, standing = await repository.signed_in_user(session, claims.user_id, claims.session_id)
    _require_standing(Standing.INACTIVE if user is None or user.client_id != client_id else standing)
    assert user is not None  # an absent user stands INACTIVE
    bind_client_id(client_id)
    # End the authentication transaction now: the endpoint's own work starts a fresh one (with the
    # same tenant scope), and no lock is held while it waits on a broker.
    await session.commit()
    return ClientCaller(user=user, client_id=client_id, session=session)


@dataclass(frozen=True, slots=True)
class ClientReader:
    """A signed-in client user reading their own client; `session`'s transaction is open for the reads."""

    user_id: uuid.UUID
    client_id: uuid.UUID
    session: AsyncSession


async def current_client_reader(
    client_id: Annotated[uuid.UUID, Path(description="The client (tenant) id")],
    claims: ClaimsDep,
    session: SessionDep,
) -> ClientReader:
    """Admit a client user as `current_client` does, leaving the transaction open for the endpoint's reads.

    For read endpoints that commit before anything slow (a broker call): the user check and the reads
    share one transaction, saving a commit, a pool checkout and a scope round trip per request.
    """
    if claims.role != ROLE_CLIENT:
        raise Forbidden("Operators act on clients through /admin", code="role_forbidden")
    if claims.client_id != client_id:
        raise NotFound("No such client", code="client_not_found")
    session.info[SCOPE_KEY] = TenantScope.for_client(client_id)
    _require_standing(await repository.member_standing(session, claims.user_id, client_id, claims.session_id))
    bind_client_id(client_id)
    return ClientReader(user_id=claims.user_id, client_id=client_id, session=session)


async def current_operator(request: Request, claims: ClaimsDep, session: SessionDep) -> OperatorCaller:
    """Admit operators only, opening the audited cross-tenant path for this request."""
    if claims.role != ROLE_OPERATOR:
        raise Forbidden("Operators only", code="role_forbidden")
    actor = Actor("operator", str(claims.user_id))
    await open_cross_tenant(session, actor=actor, reason=f"{request.method} {request.url.path}")
    user, standing = await repository.signed_in_user(session, claims.user_id, claims.session_id)
    _require_standing(Standing.INACTIVE if user is None or user.role != ROLE_OPERATOR else standing)
    assert user is not None  # an absent user stands INACTIVE
    return OperatorCaller(user=user, session=session)


ClientDep = Annotated[ClientCaller, Depends(current_client)]
ClientReadDep = Annotated[ClientReader, Depends(current_client_reader)]
OperatorDep = Annotated[OperatorCaller, Depends(current_operator)]


async def current_user(
    request: Request, claims: ClaimsDep, session: SessionDep
) -> ClientCaller | OperatorCaller:
    """Admit any signed-in user: a client user scoped to their client, or an operator."""
    if claims.role == ROLE_OPERATOR:
        return await current_operator(request, claims, session)
    if claims.client_id is None:
        raise Unauthorized("The access token is not valid", code="invalid_token", headers=_BEARER)
    return await current_client(claims.client_id, claims, session)


UserDep = Annotated[ClientCaller | OperatorCaller, Depends(current_user)]
