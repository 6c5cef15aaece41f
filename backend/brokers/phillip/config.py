"""Settings of a Phillip (POEMS) session: the non-secret part, the app's secrets and the user's tokens.

The three are kept apart because they are stored apart: ``PhillipSettings`` may sit in plain
configuration, ``PhillipAppSecrets`` (client secret, API key) and ``PhillipTokens`` (the user's
OAuth grant) are stored encrypted and never logged; pydantic's ``SecretStr`` keeps them out of
reprs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

PRODUCTION_BASE_URL: Final = "https://api.poems.com.sg/api-gateway/pspl/"
SANDBOX_BASE_URL: Final = "https://sandboxapi.poems.com.sg/api-gateway/pspl/"

AUTHORIZE_PATH: Final = "auth/1.0/oauth/authorize"
TOKEN_PATH: Final = "auth/1.0/oauth/token"  # noqa: S105 - a URL path, not a secret
API_PREFIX: Final = "mobile2/1.0/"


class PhillipSettings(BaseModel):
    """Non-secret settings of one client's POEMS connection."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str = PRODUCTION_BASE_URL
    """The API gateway root; every path is relative to it."""
    client_id: str = Field(min_length=1)
    redirect_uri: str = Field(min_length=1)
    account_no: str = ""
    """The POEMS account; empty means "the one the token response names"."""
    account_type: str = "V"
    """Stock account type sent to the portfolio endpoints (``V`` in the public examples)."""
    default_exchange: str = "SGX"
    settlement_currency: str = "SGD"
    payment_mode: str = "C"
    """``C`` cash; CPF and SRS modes exist but are out of scope."""
    scope: str = ""
    use_pkce: bool = False
    """Add an S256 PKCE challenge; the public docs do not mention PKCE, so it is opt-in."""
    request_timeout: float = Field(default=10.0, gt=0)
    max_requests_per_second: float | None = Field(default=5.0, gt=0)
    """Our own pacing, below the gateway's limit; ``None`` turns it off."""
    quote_poll_interval: float = Field(default=2.0, gt=0)
    order_poll_interval: float = Field(default=2.0, gt=0)
    refresh_skew: float = Field(default=60.0, ge=0)
    """Refresh an access token this many seconds before it expires."""
    language: int = 1
    os_version: str = "greekdesk"

    @field_validator("base_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @property
    def authorize_url(self) -> str:
        """Return the gateway's authorisation endpoint."""
        return self.base_url + AUTHORIZE_PATH

    @property
    def token_url(self) -> str:
        """Return the gateway's token endpoint."""
        return self.base_url + TOKEN_PATH

    @property
    def api_url(self) -> str:
        """Return the root of the POEMS Mobile 2.0 API."""
        return self.base_url + API_PREFIX


class PhillipAppSecrets(BaseModel):
    """What POEMS issues when the OAuth app is registered: the client secret and the API key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    client_secret: SecretStr
    api_key: SecretStr


class PhillipTokens(BaseModel):
    """One user's OAuth grant: store it encrypted, replace it whenever a refresh returns a new one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    access_token: SecretStr
    refresh_token: SecretStr | None = None
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_at: datetime
    scope: str = ""
    account_no: str = ""
    account_type: str = ""

    @field_validator("expires_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("expires_at must be timezone-aware")
        return value.astimezone(UTC)

    def expires_within(self, now: datetime, skew: float) -> bool:
        """Tell whether the access token is expired, or will be within ``skew`` seconds."""
        return now + timedelta(seconds=skew) >= self.expires_at


class PhillipCredentials(BaseModel):
    """Everything secret a session needs, sealed together: the app's secrets and the user's grant."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    app: PhillipAppSecrets
    tokens: PhillipTokens
