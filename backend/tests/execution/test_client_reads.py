"""A decision reads the client's limits, day opening value and order rate in one statement."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, event, update

from backend.execution.gate_inputs import day_opening_value, read_client
from backend.kit.container import Container
from backend.kit.db import TenantScope, scoped_session
from backend.models import AgentSettings
from backend.models.base import utcnow
from backend.risk.context import RiskLimits
from backend.tests.conftest import create_client_user
from backend.tests.factories import create_stock_order


async def test_one_statement_reads_limits_opening_value_and_recent_orders(container: Container) -> None:
    user = await create_client_user(container)
    client_id, day, now = user.client_id, date(2026, 11, 24), utcnow()
    for age in (timedelta(seconds=5), timedelta(seconds=30), timedelta(minutes=3)):
        await create_stock_order(
            container, client_id, symbol="SPY", quantity=1, order_status="filled", written_at=now - age
        )
    async with scoped_session(container.sessions, TenantScope.for_client(client_id)) as db:
        await db.execute(
            update(AgentSettings)
            .where(AgentSettings.client_id == client_id)
            .values(risk_profile="moderate", parameters={"risk": {"max_open_positions": 3}})
        )
        before = await read_client(db, client_id, day, now)
        await day_opening_value(db, client_id, day, Decimal("125000.50"))

        seen: list[str] = []

        def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            seen.append(statement)

        engine = container.engine.sync_engine
        event.listen(engine, "before_cursor_execute", note)
        try:
            after = await read_client(db, client_id, day, now)
        finally:
            event.remove(engine, "before_cursor_execute", note)
    assert len(seen) == 1, seen
    assert before.opened is None, "no opening value before the day's first look records one"
    assert after.opened == Decimal("125000.50")
    assert after.orders_last_minute == before.orders_last_minute == 2
    assert after.limits.max_open_positions == 3


async def test_a_client_without_settings_gets_the_safe_default_limits(container: Container) -> None:
    user = await create_client_user(container)
    async with scoped_session(container.sessions, TenantScope.for_client(user.client_id)) as db:
        await db.execute(delete(AgentSettings).where(AgentSettings.client_id == user.client_id))
        reads = await read_client(db, user.client_id, date(2026, 11, 24), utcnow())
        await db.rollback()
    assert (reads.limits, reads.opened, reads.orders_last_minute) == (RiskLimits(), None, 0)
