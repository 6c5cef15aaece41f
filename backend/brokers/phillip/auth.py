"""OAuth 2.0 authorisation-code flow of the POEMS API gateway.

Onboarding: build the authorise URL (``authorization_request``), send the user there, check the
``state`` that comes back with the code (``states_match``), exchange the code (``exchange_code``),
store the ``PhillipTokens`` encrypted. Sessions then refresh with ``refresh``. The token endpoint
takes form-encoded ``client_id``/``client_secret`` in the body and, like every gateway call, the
``x-api-key`` header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

import httpx

from backend.brokers.errors import BrokerAuthFailed
from backend.brokers.phillip.config import PhillipAppSecrets, PhillipSettings, PhillipTokens
from backend.brokers.phillip.parsing import check_result, parse_token_response
from backend.brokers.phillip.transport import retry_refused_only, status_error, transport_error
from backend.brokers.retry import RetryPolicy

Clock = Callable[[], datetime]
_OAUTH_REFUSALS = {
    "invalid_grant",
    "invalid_client",
    "unauthorized_client",
    "access_denied",
    "invalid_request",
}


def utc_now() -> datetime:
    """Return the current UTC time."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """Where to send the user, and what to keep until the callback (``state``, PKCE verifier)."""

    url: str
    state: str
    code_verifier: str | None = None


def new_state() -> str:
    """Return an unguessable ``state`` value for one authorisation."""
    return secrets.token_urlsafe(32)


def pkce_pair() -> tuple[str, str]:
    """Return a PKCE code verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def states_match(expected: str, received: str | None) -> bool:
    """Tell whether the callback's ``state`` is the one we sent, in constant time."""
    return received is not None and hmac.compare_digest(expected.encode(), received.encode())


class PhillipOAuth:
    """The OAuth client of one registered POEMS app."""

    def __init__(
        self,
        settings: PhillipSettings,
        app_secrets: PhillipAppSecrets,
        http: httpx.AsyncClient | None = None,
        *,
        clock: Clock = utc_now,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        self.settings = settings
        self._secrets = app_secrets
        self._own_http = http is None
        self._http = http or httpx.AsyncClient(timeout=settings.request_timeout)
        self._clock = clock
        self._policy = retry_policy or RetryPolicy(
            max_attempts=4, base_delay=0.2, max_delay=4.0, deadline=15.0
        )

    def authorization_request(self, state: str | None = None) -> AuthorizationRequest:
        """Return the authorise URL for a new user grant, with its state (and PKCE verifier if enabled)."""
        state = state or new_state()
        params = {
            "response_type": "code",
            "client_id": self.settings.client_id,
            "redirect_uri": self.settings.redirect_uri,
            "state": state,
        }
        if self.settings.scope:
            params["scope"] = self.settings.scope
        verifier = None
        if self.settings.use_pkce:
            verifier, challenge = pkce_pair()
            params |= {"code_challenge": challenge, "code_challenge_method": "S256"}
        return AuthorizationRequest(f"{self.settings.authorize_url}?{urlencode(params)}", state, verifier)

    async def exchange_code(self, code: str, *, code_verifier: str | None = None) -> PhillipTokens:
        """Trade the callback's authorisation code for the user's tokens."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.settings.redirect_uri,
        }
        if code_verifier is not None:
            form["code_verifier"] = code_verifier
        return await self._token(form, None)

    async def refresh(self, tokens: PhillipTokens) -> PhillipTokens:
        """Return fresh tokens for ``tokens``; raise ``BrokerAuthFailed`` if the grant is gone."""
        if tokens.refresh_token is None:
            raise BrokerAuthFailed("the POEMS grant has no refresh token; the user must authorise again")
        form = {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token.get_secret_value()}
        return await self._token(form, tokens)

    async def _token(self, form: dict[str, str], previous: PhillipTokens | None) -> PhillipTokens:
        form = form | {
            "client_id": self.settings.client_id,
            "client_secret": self._secrets.client_secret.get_secret_value(),
        }
        headers = {"x-api-key": self._secrets.api_key.get_secret_value(), "Accept": "application/json"}

        async def attempt() -> PhillipTokens:
            try:
                response = await self._http.post(self.settings.token_url, data=form, headers=headers)
            except httpx.HTTPError as error:
                # A refresh that timed out may have rotated the refresh token; never replay blindly.
                raise transport_error(error, "the token request", ambiguous=True) from error
            if response.status_code in (400, 401):
                raise BrokerAuthFailed(_oauth_refusal(response))
            if response.status_code >= 300:
                raise status_error(response)
            try:
                payload = response.json()
            except ValueError as error:
                raise BrokerAuthFailed("POEMS token endpoint sent no JSON") from error
            if isinstance(payload, dict) and "code" in payload:
                check_result(payload)
            return parse_token_response(payload, self._clock(), previous)

        return await retry_refused_only(attempt, self._policy)

    async def aclose(self) -> None:
        """Close the HTTP client if this object created it."""
        if self._own_http:
            await self._http.aclose()


def _oauth_refusal(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = {}
    error = str(body.get("error") or "") if isinstance(body, dict) else ""
    description = (
        str(body.get("error_description") or body.get("msg") or "") if isinstance(body, dict) else ""
    )
    label = error if error in _OAUTH_REFUSALS else f"HTTP {response.status_code}"
    return f"POEMS refused the grant ({label}): {description or response.reason_phrase}"
