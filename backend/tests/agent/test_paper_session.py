"""Weeks of autonomous paper trading on the simulator with a simulated clock: the agent opens, manages and
closes trades through the one order path, and our books end up matching the simulator's account."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from backend.kit.db import TenantScope, scoped_session
from backend.models import Position, Trade
from backend.tests.agent.test_modes_and_expiry import Desk, desk_factory  # noqa: F401 - the fixture

SESSION_DAYS = 21
TICKS_A_DAY = 2


async def test_a_month_of_autonomous_trading_keeps_the_books_true(desk_factory) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    desk: Desk = await desk_factory("autonomous", autonomous_enabled=True, simulator_step_seconds=300)
    tuned = {
        "watchlist": ["SPY", "IWM"],
        "entry": {
            "strategies": ["bull_put_spread", "bear_call_spread", "iron_condor"],
            "min_dte": 10,
            "max_dte": 30,
            "edge": "1",  # cross the spread: the simulator fills only marketable orders
        },
        "management": {"take_profit_pct": "40", "stop_loss_multiple": "1.5", "exit_dte": 3},
        "scan_interval_seconds": 86_400,
    }
    saved = await desk.api.post(
        f"{desk.base}/agent/parameters", headers=desk.headers, json={"parameters": tuned}
    )
    assert saved.status_code == 200, saved.text

    for _day in range(SESSION_DAYS):
        for _ in range(TICKS_A_DAY):
            await desk.tick()
            await desk.advance(timedelta(hours=2))
        await desk.advance(timedelta(hours=24 - 2 * TICKS_A_DAY))

    client_id = desk.user.client_id
    await asyncio.sleep(0.5)  # the last settlement's events reach the books
    async with scoped_session(desk.container.sessions, TenantScope.for_client(client_id)) as db:
        trades = list((await db.execute(select(Trade).where(Trade.client_id == client_id))).scalars())
        ours = {
            p.instrument_key: p.quantity
            for p in (await db.execute(select(Position).where(Position.client_id == client_id))).scalars()
            if p.quantity
        }
    opened = [t for t in trades if t.parent_trade_id is None and t.status == "filled"]
    exits = [t for t in trades if t.parent_trade_id is not None]
    assert len(opened) >= 2, Counter((t.strategy, t.status) for t in trades)
    assert any(t.status == "filled" for t in exits), Counter((t.strategy, t.status) for t in exits)
    decided = [t for t in opened + exits if t.status == "filled"]
    assert {(t.origin, t.decided_by) for t in decided} == {("agent", "agent:greekdesk-agent")}

    broker = (await desk.container.brokers.session_for(client_id)).broker
    theirs = {p.instrument.key: p.quantity for p in await broker.positions() if p.quantity}
    assert ours == theirs, "exercises, assignments and expiries were booked as they happened"
    audit = (await desk.api.get(f"{desk.base}/audit?limit=500", headers=desk.headers)).json()["items"]
    assert not [r for r in audit if r["action"] == "position.drift_fixed"], "no repair was needed"
    account = await broker.account_summary()
    assert account.net_liquidation.amount > Decimal(0)
