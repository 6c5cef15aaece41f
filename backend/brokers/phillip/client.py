"""The POEMS Mobile 2.0 API over httpx: headers, tokens, pacing, retries and result codes.

Every call carries ``Authorization: Bearer`` and ``x-api-key``, plus the ``language`` and
``osVersion`` parameters the API expects. An access token about to expire is refreshed before the
call; a 401 refreshes once and repeats the call. Reads are retried on temporary failures with the
shared retrier; order-changing calls are retried only when the gateway refused them before acting
(429, a clean 503), never after a timeout, because the order may be live.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx

from backend.brokers.errors import BrokerAuthFailed, PermanentBrokerError
from backend.brokers.phillip.auth import Clock, PhillipOAuth, utc_now
from backend.brokers.phillip.config import PhillipAppSecrets, PhillipSettings, PhillipTokens
from backend.brokers.phillip.parsing import Payload, check_result
from backend.brokers.phillip.transport import RateLimiter, retry_refused_only, status_error, transport_error
from backend.brokers.retry import RetryPolicy, Sleep, retry

TokenSink = Callable[[PhillipTokens], Awaitable[None]]
"""Called with every new grant a refresh returns, so it can be stored (encrypted) at once."""

READ_POLICY = RetryPolicy(max_attempts=5, base_delay=0.25, max_delay=4.0, deadline=20.0)
WRITE_POLICY = RetryPolicy(max_attempts=3, base_delay=0.25, max_delay=2.0, deadline=10.0)


class PoemsClient:
    """An authenticated, paced client of one user's POEMS API session."""

    def __init__(
        self,
        settings: PhillipSettings,
        app_secrets: PhillipAppSecrets,
        tokens: PhillipTokens,
        *,
        http: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        on_tokens: TokenSink | None = None,
        clock: Clock = utc_now,
        read_policy: RetryPolicy = READ_POLICY,
        write_policy: RetryPolicy = WRITE_POLICY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self._api_key = app_secrets.api_key.get_secret_value()
        self._tokens = tokens
        self._own_http = http is None
        # `transport`: how connections open (the deployment's endpoint guard pins them).
        self._http = http or httpx.AsyncClient(timeout=settings.request_timeout, transport=transport)
        self.oauth = PhillipOAuth(settings, app_secrets, self._http, clock=clock)
        self._on_tokens = on_tokens
        self._clock = clock
        self._read_policy = read_policy
        self._write_policy = write_policy
        self._sleep = sleep
        self._refresh_lock = asyncio.Lock()
        rate = settings.max_requests_per_second
        self._limiter = RateLimiter(rate) if rate is not None else None
        self.refreshes = 0

    @property
    def tokens(self) -> PhillipTokens:
        """Return the grant in use (it changes on every refresh)."""
        return self._tokens

    def _common(self) -> dict[str, str]:
        return {"language": str(self.settings.language), "osVersion": self.settings.os_version}

    async def get(self, path: str, params: Mapping[str, str] | None = None) -> Payload:
        """Read ``path``, retrying temporary failures."""
        query = self._common() | dict(params or {})
        return await retry(lambda: self._send("GET", path, query=query), self._read_policy, sleep=self._sleep)

    async def post_safe(
        self, path: str, form: Mapping[str, str], *, client_order_id: str | None = None
    ) -> Payload:
        """Post to an endpoint with no lasting effect (validate, depth), retrying temporary failures."""
        body = self._common() | dict(form)
        return await retry(
            lambda: self._send("POST", path, form=body, client_order_id=client_order_id),
            self._read_policy,
            sleep=self._sleep,
        )

    async def post_once(
        self,
        path: str,
        form: Mapping[str, str],
        *,
        headers: Mapping[str, str] | None = None,
        client_order_id: str | None = None,
    ) -> Payload:
        """Post an order-changing call; failures after it may have reached POEMS are ``ambiguous``."""
        body = self._common() | dict(form)
        return await retry_refused_only(
            lambda: self._send(
                "POST", path, form=body, headers=headers, client_order_id=client_order_id, ambiguous=True
            ),
            self._write_policy,
            sleep=self._sleep,
        )

    async def _send(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        client_order_id: str | None = None,
        ambiguous: bool = False,
    ) -> Payload:
        url = self.settings.api_url + path
        for attempt in range(2):
            token = await self._access_token()
            if self._limiter is not None:
                await self._limiter.acquire()
            request_headers = {
                "Authorization": f"Bearer {token}",
                "x-api-key": self._api_key,
                "Accept": "application/json",
            } | dict(headers or {})
            try:
                response = await self._http.request(
                    method, url, params=query, data=form, headers=request_headers
                )
            except httpx.HTTPError as error:
                raise transport_error(error, path, ambiguous=ambiguous) from error
            if response.status_code == 401 and attempt == 0:
                # Revoked or expired early: refresh once and repeat; a second 401 is final.
                await self._refresh(stale=token)
                continue
            if response.status_code >= 300:
                raise status_error(response, ambiguous=ambiguous)
            return check_result(_json(response, path), client_order_id=client_order_id)
        raise BrokerAuthFailed(f"POEMS refused a freshly refreshed token for {path}")  # pragma: no cover

    async def _access_token(self) -> str:
        tokens = self._tokens
        if tokens.expires_within(self._clock(), self.settings.refresh_skew):
            await self._refresh(stale=tokens.access_token.get_secret_value())
        return self._tokens.access_token.get_secret_value()

    async def _refresh(self, *, stale: str) -> None:
        async with self._refresh_lock:
            if self._tokens.access_token.get_secret_value() != stale:
                return  # another call refreshed while this one waited
            self._tokens = await self.oauth.refresh(self._tokens)
            self.refreshes += 1
        if self._on_tokens is not None:
            await self._on_tokens(self._tokens)

    async def ensure_fresh(self) -> None:
        """Refresh the access token now if it is expired or about to be."""
        await self._access_token()

    async def aclose(self) -> None:
        """Close the HTTP client if this object created it."""
        if self._own_http:
            await self._http.aclose()


def _json(response: httpx.Response, path: str) -> Any:
    try:
        return response.json()
    except ValueError as error:
        raise PermanentBrokerError(f"POEMS sent no JSON for {path}") from error
