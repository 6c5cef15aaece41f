"""A scan gates its candidates once, in its screen, and stores what passes on that decision."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from backend.audit.service import Actor
from backend.execution.screening import Gated
from backend.execution.tickets import TradeTicket, domain_legs
from backend.kit.db import TenantScope, scoped_session
from backend.risk.gate import GateDecision
from backend.risk.rule import Denial
from backend.tests.agent.test_modes_and_expiry import Desk, desk_factory  # noqa: F401 - the fixture


async def test_a_scan_reads_the_client_for_the_gate_once_however_many_it_proposes(desk_factory) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    desk: Desk = await desk_factory("approval")
    seen: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    engine = desk.container.engine.sync_engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        report = await desk.tick(scan=True)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    proposed = report["proposed"]
    assert isinstance(proposed, list)
    assert len(proposed) >= 2, report
    client_reads = [s for s in seen if "agent_settings.risk_profile" in s and "day_baseline" in s]
    assert len(client_reads) == 1, "one gate read for the screen, none more for each proposal"
    assert {t["id"] for t in await desk.trades("pending_approval")} == set(proposed)


async def test_only_a_ticket_the_gate_allowed_is_stored_on_its_screen(desk_factory) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    desk: Desk = await desk_factory("approval")
    ticket = TradeTicket.model_validate(
        {"legs": [{"sec_type": "stock", "symbol": "SPY", "side": "buy"}], "quantity": 1, "limit_price": "1"}
    )
    legs = domain_legs(ticket.legs)
    denied = Gated(
        ticket, legs, "agent", GateDecision((Denial("order_rate", "order_rate", "too many orders"),))
    )
    client_id = desk.user.client_id
    async with scoped_session(desk.container.sessions, TenantScope.for_client(client_id)) as db:
        with pytest.raises(ValueError, match="allowed"):
            await desk.container.execution.propose_screened(
                db,
                client_id,
                denied,
                actor=Actor("agent", "test"),
                strategy="test",
                expires_at=None,
                metrics={},
            )
    assert await desk.trades() == []
