"""The daily loss counts from one recorded point per client and venue trading day, whatever process or restart asks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from backend.brokers.base import Capabilities
from backend.execution.gate_inputs import day_opening_value, trading_day
from backend.kit.container import Container
from backend.kit.db import TenantScope, scoped_session
from backend.tests.conftest import AppFactory, create_client_user


async def test_the_first_look_of_the_day_stands_across_processes(
    app_factory: AppFactory, container: Container
) -> None:
    user = await create_client_user(container)
    day = date(2026, 11, 24)
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as db:
        assert await day_opening_value(db, user.client_id, day, Decimal("100000")) == Decimal("100000")
        await db.commit()
    # Another process (a second app on the same database) later sees a lower value: the loss still counts.
    other: Container = app_factory().state.container
    async with scoped_session(other.sessions, TenantScope.for_client(user.client_id)) as db:
        assert await day_opening_value(db, user.client_id, day, Decimal("98000")) == Decimal("100000")
        assert await day_opening_value(db, user.client_id, date(2026, 11, 25), Decimal("98000")) == Decimal(
            "98000"
        )
        await db.commit()


def test_the_trading_day_turns_over_at_the_venues_midnight() -> None:
    # 17:30 UTC: already the next day in Singapore (01:30), still the same one in New York (12:30).
    instant = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)
    assert trading_day(instant, Capabilities()) == date(2026, 11, 24)
    assert trading_day(instant, Capabilities(exchange_timezone="Asia/Singapore")) == date(2026, 11, 25)
    assert trading_day(instant, None) == date(2026, 11, 24)  # unknown venue: the US calendar
