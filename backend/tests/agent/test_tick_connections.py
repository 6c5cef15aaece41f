"""An agent tick asks its broker nothing while it holds a pooled database connection."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.pool import QueuePool

from backend.tests.agent.test_modes_and_expiry import Desk, desk_factory  # noqa: F401 - the fixture
from backend.tests.execution.helpers import connections_at_reads, pool_idle

_READS = ("positions", "quotes", "option_chain", "account_summary")


async def _filled(desk: Desk) -> list[dict[str, object]]:
    for _ in range(100):
        filled = await desk.trades("filled")
        if filled:
            return filled
        await desk.advance(timedelta(seconds=30))
        await asyncio.sleep(0.05)
    raise AssertionError("no agent trade filled")


async def test_a_tick_managing_open_structures_holds_no_connection_across_broker_reads(desk_factory) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    desk: Desk = await desk_factory("autonomous", autonomous_enabled=True)
    assert (await desk.tick(scan=True))["approved"]
    await _filled(desk)
    # Exits the moves above may now call for are proposed, not approved: an approval gates its order
    # under the claim on its trade, by design, which this test is not about.
    switched = await desk.api.post(f"{desk.base}/agent/mode", headers=desk.headers, json={"mode": "approval"})
    assert switched.status_code == 200, switched.text
    pool = desk.container.engine.pool
    assert isinstance(pool, QueuePool)
    # The fills' own bookkeeping runs in tasks of the events' consumer: the count below is the pool's,
    # so the tick starts once none of them has held a connection for a while.
    await pool_idle(pool)
    session = desk.container.brokers.registry.get(desk.user.client_id)
    assert session is not None
    with connections_at_reads(session.broker, pool, _READS) as seen:
        await desk.tick()
    assert "positions" in {name for name, _ in seen}, "the tick checked its open structures against the book"
    assert "quotes" in {name for name, _ in seen}, seen
    assert all(checked_out == 0 for _, checked_out in seen), seen
