"""Onboard a client to Phillip through POEMS's OAuth code flow: start an authorisation, finish it on its callback.

Starting stores a pending attempt (the state's digest; the state, PKCE verifier, settings and app
secrets sealed for the client) and leaves the active broker as it is. The callback spends the
attempt (single use, 10 minutes), exchanges the code, and only then makes Phillip the client's
broker with the app secrets and the grant sealed together.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit.service import Actor, record
from backend.broker_accounts.service import save_account
from backend.brokers.phillip.auth import PhillipOAuth, states_match
from backend.brokers.phillip.config import (
    PhillipAppSecrets,
    PhillipCredentials,
    PhillipSettings,
    PhillipTokens,
)
from backend.credentials.cipher import CredentialCipher, Sealed
from backend.credentials.service import revealed
from backend.kit.errors import AppError
from backend.models import BrokerOAuthState
from backend.models.base import utcnow
from backend.runtime.broker_factory import BrokerSpec

KIND = "phillip"
ATTEMPT_TTL = timedelta(minutes=10)


class InvalidOAuthState(AppError):
    """A callback whose state is unknown, already used, expired or not this client's."""

    status_code = 400
    code = "invalid_oauth_state"


class OAuthDenied(AppError):
    """The user (or POEMS) declined the authorisation instead of returning a code."""

    status_code = 400
    code = "oauth_denied"


class PhillipAuthorizeBody(BaseModel):
    """Start onboarding to Phillip: the connection's settings and the registered app's secrets."""

    model_config = ConfigDict(extra="forbid")

    settings: PhillipSettings
    credentials: PhillipAppSecrets = Field(description="Client secret and API key; stored encrypted")


class PhillipAuthorizeRead(BaseModel):
    """Where to send the user, and until when the callback is accepted."""

    authorize_url: str
    state: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class PendingAuthorization:
    """A spent attempt's contents: what the code exchange and the account need (never logged)."""

    settings: PhillipSettings
    app: PhillipAppSecrets
    state: str
    code_verifier: str | None


def _digest(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


async def start(
    session: AsyncSession,
    client_id: uuid.UUID,
    body: PhillipAuthorizeBody,
    *,
    cipher: CredentialCipher,
    actor: Actor,
) -> PhillipAuthorizeRead:
    """Store a pending authorisation (sealed) and return POEMS's authorise URL for it."""
    oauth = PhillipOAuth(body.settings, body.credentials)
    try:
        request = oauth.authorization_request()
    finally:
        await oauth.aclose()
    now = utcnow()
    # Abandoned attempts are swept whenever the client starts another.
    await session.execute(
        delete(BrokerOAuthState).where(
            BrokerOAuthState.client_id == client_id, BrokerOAuthState.expires_at <= now
        )
    )
    payload: dict[str, Any] = {
        "state": request.state,
        "code_verifier": request.code_verifier,
        "settings": body.settings.model_dump(mode="json"),
        "app": revealed(body.credentials),
    }
    sealed = cipher.seal(client_id, payload)
    attempt = BrokerOAuthState(
        client_id=client_id,
        kind=KIND,
        state_digest=_digest(request.state),
        payload_ciphertext=sealed.ciphertext,
        key_version=sealed.key_version,
        expires_at=now + ATTEMPT_TTL,
        created_at=now,
    )
    session.add(attempt)
    await session.flush()
    await record(
        session,
        actor=actor,
        action="broker.oauth_started",
        client_id=client_id,
        subject=f"broker_oauth_state:{attempt.id}",
        data={"kind": KIND, "settings": payload["settings"], "expires_at": attempt.expires_at.isoformat()},
    )
    return PhillipAuthorizeRead(authorize_url=request.url, state=request.state, expires_at=attempt.expires_at)


async def claim(
    session: AsyncSession, client_id: uuid.UUID, state: str, *, cipher: CredentialCipher
) -> PendingAuthorization:
    """Spend the client's pending attempt for ``state``; 400 if it is unknown, used or expired."""
    # One DELETE ... RETURNING decides: of two callbacks racing with one state, exactly one gets it.
    row = (
        await session.execute(
            delete(BrokerOAuthState)
            .where(
                BrokerOAuthState.client_id == client_id,
                BrokerOAuthState.kind == KIND,
                BrokerOAuthState.state_digest == _digest(state),
            )
            .returning(
                BrokerOAuthState.payload_ciphertext,
                BrokerOAuthState.key_version,
                BrokerOAuthState.expires_at,
            )
            .execution_options(synchronize_session=False)
        )
    ).one_or_none()
    if row is None:
        raise InvalidOAuthState("This authorisation is unknown or was already used; start again")
    ciphertext, key_version, expires_at = row
    if expires_at <= utcnow():
        raise InvalidOAuthState("This authorisation has expired; start again")
    payload = cipher.open(client_id, Sealed(ciphertext, key_version))
    if not states_match(payload["state"], state):
        raise InvalidOAuthState("This authorisation is unknown or was already used; start again")
    return PendingAuthorization(
        settings=PhillipSettings.model_validate(payload["settings"]),
        app=PhillipAppSecrets.model_validate(payload["app"]),
        state=payload["state"],
        code_verifier=payload["code_verifier"],
    )


def refuse(error: str, description: str | None) -> OAuthDenied:
    """Return the error for a callback that carries POEMS's refusal instead of a code."""
    return OAuthDenied(
        f"POEMS did not authorise Greekdesk ({error}){': ' + description if description else ''}",
        details={"error": error},
    )


async def exchange(
    pending: PendingAuthorization, code: str, transport: httpx.AsyncBaseTransport | None = None
) -> PhillipTokens:
    """Trade the callback's code for the user's grant; POEMS's refusal surfaces as a broker error."""
    async with httpx.AsyncClient(timeout=pending.settings.request_timeout, transport=transport) as http:
        oauth = PhillipOAuth(pending.settings, pending.app, http)
        return await oauth.exchange_code(code, code_verifier=pending.code_verifier)


async def connect_account(
    session: AsyncSession,
    client_id: uuid.UUID,
    pending: PendingAuthorization,
    tokens: PhillipTokens,
    *,
    cipher: CredentialCipher,
    actor: Actor,
) -> None:
    """Make Phillip the client's broker: settings in the clear, app secrets and grant sealed together."""
    credentials = PhillipCredentials(app=pending.app, tokens=tokens)
    spec = BrokerSpec(KIND, pending.settings.model_dump(mode="json"), revealed(credentials))
    account = await save_account(session, client_id, spec, reset_simulator=False, cipher=cipher, actor=actor)
    await record(
        session,
        actor=actor,
        action="broker.oauth_connected",
        client_id=client_id,
        subject=f"broker_account:{account.id}",
        data={
            "kind": KIND,
            "account_no": pending.settings.account_no or tokens.account_no,
            "scope": tokens.scope,
            "access_expires_at": tokens.expires_at.isoformat(),
            "has_refresh_token": tokens.refresh_token is not None,
        },
    )
