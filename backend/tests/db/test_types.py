"""Money stays exact and datetimes stay aware through the database."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from backend.kit.container import Container
from backend.kit.db import TenantScope, scoped_session
from backend.models import Position
from backend.tests.conftest import create_client_user
from backend.tests.factories import create_position


async def test_decimals_round_trip_exactly_and_zero_compares_as_zero(container: Container) -> None:
    user = await create_client_user(container)
    position_id = await create_position(container, user.client_id, quantity=Decimal("-0.0000"))
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as session:
        row = await session.get(Position, position_id)
        assert row is not None
        row.average_cost = Decimal("1234567.123456")
        row.realized_pnl = Decimal("-0.1") + Decimal("0.2")
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as session:
        row = await session.get(Position, position_id)
        assert row is not None
        assert row.average_cost == Decimal("1234567.123456")
        assert row.realized_pnl == Decimal("0.1")
        flat = (
            (
                await session.execute(
                    select(Position.id).where(
                        Position.client_id == user.client_id, Position.quantity == Decimal(0)
                    )
                )
            )
            .scalars()
            .all()
        )
        assert flat == [position_id]


async def test_floats_and_nan_are_refused(container: Container) -> None:
    user = await create_client_user(container)
    position_id = await create_position(container, user.client_id)
    for bad in (1.5, Decimal("NaN"), Decimal("Infinity")):
        with pytest.raises(Exception, match=r"Decimal|NaN|infinit"):
            async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as session:
                row = await session.get(Position, position_id)
                assert row is not None
                row.average_cost = bad  # type: ignore[assignment]


async def test_datetimes_come_back_aware_utc_and_naive_ones_are_refused(container: Container) -> None:
    user = await create_client_user(container)
    position_id = await create_position(container, user.client_id)
    tokyo = datetime(2030, 1, 2, 9, 30, tzinfo=timezone(timedelta(hours=9)))
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as session:
        row = await session.get(Position, position_id)
        assert row is not None
        row.opened_at = tokyo
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as session:
        row = await session.get(Position, position_id)
        assert row is not None
        assert row.opened_at == tokyo
        assert row.opened_at.utcoffset() == timedelta(0)
    with pytest.raises(Exception, match="naive"):
        async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as session:
            row = await session.get(Position, position_id)
            assert row is not None
            row.opened_at = datetime(2030, 1, 2, 9, 30)  # noqa: DTZ001 - the naive value under test
