"""The POEMS stand-in on a real loopback socket, and factories for sessions against it."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import uvicorn

from backend.brokers.phillip import (
    PhillipAppSecrets,
    PhillipBroker,
    PhillipOAuth,
    PhillipSettings,
    PhillipTokens,
)
from backend.brokers.phillip.fake_poems import ROOT, FakePoems, FakePoemsConfig, create_app
from backend.brokers.simulator import SimulatedClock

SGX_MONDAY_NOON = datetime(2026, 5, 11, 4, 0, tzinfo=UTC)
"""Noon in Singapore on an ordinary Monday session."""
REDIRECT_URI = "http://127.0.0.1:9/callback"
_users = itertools.count(1)


@dataclass
class StandIn:
    """A running stand-in: the venue object and its base URL."""

    fake: FakePoems
    base_url: str

    @property
    def secrets(self) -> PhillipAppSecrets:
        """Return the app secrets the stand-in registered."""
        return PhillipAppSecrets.model_validate(
            {"client_secret": self.fake.config.client_secret, "api_key": self.fake.config.api_key}
        )

    def settings(self, **overrides: Any) -> PhillipSettings:
        """Return settings pointing at the stand-in, polling fast."""
        values: dict[str, Any] = {
            "base_url": self.base_url,
            "client_id": self.fake.config.client_id,
            "redirect_uri": REDIRECT_URI,
            "quote_poll_interval": 0.1,
            "order_poll_interval": 0.1,
            "max_requests_per_second": None,
            "request_timeout": 5.0,
        }
        return PhillipSettings.model_validate(values | overrides)

    async def grant(self, username: str, settings: PhillipSettings | None = None) -> PhillipTokens:
        """Run the OAuth code flow for ``username`` and return the tokens."""
        settings = settings or self.settings()
        async with httpx.AsyncClient(timeout=5.0) as http:
            oauth = PhillipOAuth(settings, self.secrets, http)
            request = oauth.authorization_request()
            response = await http.get(f"{request.url}&{urlencode({'username': username})}")
            assert response.status_code == 302, response.text
            query = parse_qs(urlsplit(response.headers["location"]).query)
            assert query["state"] == [request.state]
            return await oauth.exchange_code(query["code"][0], code_verifier=request.code_verifier)

    async def new_user(self) -> str:
        """Enroll a fresh user with a fresh account."""
        username = f"user{next(_users)}"
        await self.fake.enroll(username)
        return username

    async def broker(self, **overrides: Any) -> PhillipBroker:
        """Return an unconnected adapter for a fresh user."""
        username = await self.new_user()
        settings = self.settings(**overrides)
        return PhillipBroker(settings, self.secrets, await self.grant(username, settings))


def create_fake(**config: Any) -> FakePoems:
    """Build a stand-in venue on a simulated clock at Singapore noon."""
    base: dict[str, Any] = {"redirect_uris": (REDIRECT_URI,), "rate_per_second": 500.0, "burst": 1000}
    return FakePoems(FakePoemsConfig(**(base | config)), clock=SimulatedClock(SGX_MONDAY_NOON))


@contextlib.asynccontextmanager
async def serve(fake: FakePoems) -> AsyncIterator[StandIn]:
    """Run the stand-in with uvicorn on a free loopback port for the block."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(fake), lifespan="on", log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(5):
            while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
                await asyncio.sleep(0.01)
        yield StandIn(fake, f"http://127.0.0.1:{port}{ROOT}")
    finally:
        server.should_exit = True
        await asyncio.wait({task}, timeout=5)
        if not task.done():
            task.cancel()
        sock.close()


@pytest.fixture(scope="module")
async def stand_in() -> AsyncIterator[StandIn]:
    """Yield one stand-in per test module."""
    async with serve(create_fake()) as running:
        yield running
