"""Trading-state test helpers: an operator's headers, and putting the global state back."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from backend.audit.service import Actor
from backend.kit.container import Container
from backend.kit.db import TenantScope, scoped_session
from backend.risk.context import TradingMode
from backend.tests.conftest import bearer, create_operator_user, login


async def operator_headers(api: httpx.AsyncClient, container: Container) -> dict[str, str]:
    """Create an operator, log in, and return its Authorization header."""
    email, password = await create_operator_user(container)
    return bearer((await login(api, email, password))["access_token"])


async def set_global(container: Container, state: TradingMode) -> None:
    """Set the global state through the service, as an operator, and publish it."""
    async with scoped_session(container.sessions, TenantScope(cross_tenant=True)) as session:
        change = await container.trading.change(
            session,
            scope_client_id=None,
            state=state,
            reason="test housekeeping",
            allow_reduce_only=True,
            actor=Actor("operator", "tests"),
        )
    await container.trading.publish(change)


@pytest.fixture
async def restore_global(container: Container) -> AsyncIterator[None]:
    """Resume global trading when the test ends: the session's database is shared by every test."""
    yield
    await set_global(container, TradingMode.ACTIVE)
