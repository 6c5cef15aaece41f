"""The stand-in's OAuth 2.0 server: authorisation codes, access tokens, rotating refresh tokens.

Access tokens expire on the venue's clock (a simulated clock in tests), so a test decides when a
token is stale; ``expire_access_tokens`` and ``revoke_refresh_tokens`` play a revoked grant.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


class OAuthError(Exception):
    """An RFC 6749 error response: ``error`` code, description and HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        """Return the JSON body of the error response."""
        return {"error": self.error, "error_description": self.description}


@dataclass
class _Code:
    username: str
    redirect_uri: str
    challenge: str | None
    expires_at: datetime


@dataclass
class _Access:
    username: str
    expires_at: datetime


class FakeAuthServer:
    """Issues and checks the grants of one registered client app."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        redirect_uris: tuple[str, ...],
        access_ttl: timedelta,
        clock: Callable[[], datetime],
        account_of: Callable[[str], str],
    ) -> None:
        self.client_id = client_id
        self._client_secret = client_secret
        self.redirect_uris = redirect_uris
        self._access_ttl = access_ttl
        self._clock = clock
        self._account_of = account_of
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, _Access] = {}
        self._refresh: dict[str, str] = {}
        self.refreshes = 0
        self.exchanges = 0

    def authorize(self, params: dict[str, str], username: str) -> str:
        """Return a one-use code for ``username`` after checking the client and redirect URI."""
        if params.get("response_type") != "code":
            raise OAuthError("unsupported_response_type", "response_type must be code")
        if params.get("client_id") != self.client_id:
            raise OAuthError("unauthorized_client", "unknown client_id")
        redirect_uri = params.get("redirect_uri", "")
        if redirect_uri not in self.redirect_uris:
            raise OAuthError("invalid_request", "redirect_uri is not registered for this client")
        challenge = params.get("code_challenge")
        if challenge is not None and params.get("code_challenge_method", "plain") != "S256":
            raise OAuthError("invalid_request", "only S256 code challenges are accepted")
        code = secrets.token_urlsafe(24)
        self._codes[code] = _Code(username, redirect_uri, challenge, self._clock() + timedelta(minutes=5))
        return code

    def _client(self, form: dict[str, str]) -> None:
        same_id = form.get("client_id") == self.client_id
        same_secret = hmac.compare_digest(
            form.get("client_secret", "").encode(), self._client_secret.encode()
        )
        if not (same_id and same_secret):
            raise OAuthError("invalid_client", "client authentication failed", status=401)

    def token(self, form: dict[str, str]) -> dict[str, Any]:
        """Answer the token endpoint for the authorization_code and refresh_token grants."""
        self._client(form)
        grant = form.get("grant_type")
        if grant == "authorization_code":
            username = self._redeem(form)
            self.exchanges += 1
        elif grant == "refresh_token":
            found = self._refresh.pop(form.get("refresh_token", ""), None)
            if found is None:
                raise OAuthError("invalid_grant", "refresh token is invalid, expired or revoked")
            username = found
            self.refreshes += 1
        else:
            raise OAuthError("unsupported_grant_type", f"grant_type {grant!r} is not supported")
        return self._issue(username)

    def _redeem(self, form: dict[str, str]) -> str:
        code = self._codes.pop(form.get("code", ""), None)
        if code is None or code.expires_at < self._clock():
            raise OAuthError("invalid_grant", "authorization code is invalid, used or expired")
        if form.get("redirect_uri") != code.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri does not match the authorisation")
        if code.challenge is not None:
            verifier = form.get("code_verifier", "")
            digest = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            )
            if not hmac.compare_digest(digest, code.challenge):
                raise OAuthError("invalid_grant", "code_verifier does not match the challenge")
        return code.username

    def _issue(self, username: str) -> dict[str, Any]:
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self._access[access] = _Access(username, self._clock() + self._access_ttl)
        self._refresh[refresh] = username
        return {
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "Bearer",
            "expires_in": int(self._access_ttl.total_seconds()),
            "scope": "poems",
            "accountNo": self._account_of(username),
            "accountType": "V",
        }

    def user_for(self, authorization: str | None) -> str | None:
        """Return the user of a valid ``Bearer`` header, or ``None``."""
        if not authorization or not authorization.startswith("Bearer "):
            return None
        access = self._access.get(authorization.removeprefix("Bearer ").strip())
        if access is None or access.expires_at <= self._clock():
            return None
        return access.username

    def expire_access_tokens(self, username: str | None = None) -> None:
        """Make every access token (of ``username``) invalid, as an early expiry would."""
        self._access = {
            t: a for t, a in self._access.items() if username is not None and a.username != username
        }

    def revoke_refresh_tokens(self, username: str | None = None) -> None:
        """Revoke every refresh token (of ``username``), as a user withdrawing consent would."""
        self._refresh = {t: u for t, u in self._refresh.items() if username is not None and u != username}
