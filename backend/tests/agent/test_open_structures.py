"""A tick reads the agent's open structures with one query once it has built them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.pool import QueuePool

from backend.agent.manager import open_structures
from backend.kit.db import TenantScope, scoped_session
from backend.tests.agent.test_modes_and_expiry import Desk, desk_factory  # noqa: F401 - the fixture
from backend.tests.agent.test_tick_connections import _filled
from backend.tests.execution.helpers import pool_idle


async def test_built_structures_are_read_again_with_one_query(desk_factory) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    desk: Desk = await desk_factory("autonomous", autonomous_enabled=True)
    assert (await desk.tick(scan=True))["approved"]
    filled = await _filled(desk)
    pool = desk.container.engine.pool
    assert isinstance(pool, QueuePool)
    await pool_idle(pool)  # the fills' own bookkeeping is done: the statements counted below are the read's
    container, client_id = desk.container, desk.user.client_id

    seen: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    async def read() -> dict[str, Any]:
        async with scoped_session(container.sessions, TenantScope.for_client(client_id)) as db:
            return {str(m.trade.id): m.structure for m in await open_structures(db, client_id)}

    first = await read()
    assert set(first) >= {str(trade["id"]) for trade in filled}
    engine = container.engine.sync_engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        again = await read()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert again == first
    # The tenant scope, then the open trades: no legs or fills query for structures already built.
    assert len([s for s in seen if "set_config" not in s]) == 1, seen
