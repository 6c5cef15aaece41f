"""A scan in the agent's loop: its analysis runs apart from the ticks, and the tick after it decides on fresh quotes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from decimal import Decimal

from backend.agent import pacing, runtime
from backend.agent.runtime import TickReport
from backend.agent.scanner import Analysis
from backend.brokers.base import BrokerPort
from backend.domain.instruments import Side
from backend.tests.agent.test_modes_and_expiry import START, Desk, desk_factory  # noqa: F401 - the fixture


async def _apart(desk: Desk) -> TickReport:
    return await desk.container.agent.run_once(desk.user.client_id, analyse_apart=True)


async def _analysis(desk: Desk) -> Analysis:
    task = desk.container.agent._analyses[desk.user.client_id]
    return await asyncio.wait_for(asyncio.shield(task), 30)


def _broker(desk: Desk) -> BrokerPort:
    session = desk.container.brokers.registry.get(desk.user.client_id)
    assert session is not None
    return session.broker


async def test_the_tick_after_the_analysis_decides_on_it(desk_factory) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    desk: Desk = await desk_factory("approval")
    started = await _apart(desk)
    assert started.state == "running"
    assert started.scanned is False
    assert started.proposed == []
    found = await _analysis(desk)
    assert found.candidates, found.errors
    assert await desk.trades() == [], "an analysis decides nothing by itself"

    decided = await _apart(desk)
    assert decided.scanned is True
    assert decided.proposed, decided
    assert {t["id"] for t in await desk.trades("pending_approval")} == set(decided.proposed)
    assert desk.user.client_id not in desk.container.agent._analyses
    status = (await desk.api.get(f"{desk.base}/agent/status", headers=desk.headers)).json()
    assert datetime.fromisoformat(status["last_scan"]["at"]) == START, "the scan dates from its quotes"

    again = await _apart(desk)
    assert again.scanned is False, "the scan is not due again until its interval has passed"
    assert desk.user.client_id not in desk.container.agent._analyses


async def test_the_decision_prices_the_legs_at_the_quotes_of_its_own_tick(desk_factory, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    # Ten minutes of market between the analysis and the decision, so that prices surely move: the
    # analysis's time to live is stretched to allow it.
    monkeypatch.setattr(runtime, "ANALYSIS_MAX_AGE", timedelta(hours=1))
    desk: Desk = await desk_factory("approval")
    await _apart(desk)
    found = await _analysis(desk)
    analysed = {frozenset(leg.instrument.key for leg in c.legs): c.limit_price for c in found.candidates}
    await desk.advance(timedelta(minutes=10))
    decided = await _apart(desk)
    assert decided.proposed, decided

    broker = _broker(desk)
    moved = 0
    for trade in await desk.trades("pending_approval"):
        legs = trade["legs"]
        assert isinstance(legs, list)
        quotes = await broker.quotes([_option_of(found, leg["instrument_key"]) for leg in legs])
        # Per share, cash out positive: each leg's mid signed by its side, and the half-spread
        # the price may concede (edge <= 1) on top.
        mid = half = Decimal(0)
        for leg, quote in zip(legs, quotes, strict=True):
            assert quote.bid is not None
            assert quote.ask is not None
            bid, ask = quote.bid.value, quote.ask.value
            sign = Side(leg["side"].upper()).sign
            mid += sign * (bid + ask) / 2
            half += (ask - bid) / 2
        limit = Decimal(str(trade["limit_price"]))
        cent = Decimal("0.01")
        assert mid - cent <= limit <= mid + half + cent, (trade["strategy"], limit, mid, half)
        before = analysed[frozenset(leg["instrument_key"] for leg in legs)]
        moved += before != limit
    assert moved, "after ten minutes of market, at least one price differs from the analysis's"


def _option_of(found: Analysis, key: str):  # type: ignore[no-untyped-def]
    for candidate in found.candidates:
        for option in candidate.options:
            if option.key == key:
                return option
    raise AssertionError(f"{key} is in no candidate")


async def test_an_analysis_for_other_settings_is_dropped_and_the_scan_runs_again(desk_factory) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    desk: Desk = await desk_factory("approval")
    await _apart(desk)
    first = await _analysis(desk)
    changed = await desk.api.post(
        f"{desk.base}/agent/parameters",
        headers=desk.headers,
        json={"parameters": {"proposal_ttl_seconds": 1200}},
    )
    assert changed.status_code == 200, changed.text

    dropped = await _apart(desk)
    assert dropped.scanned is False
    assert dropped.proposed == []
    assert await desk.trades() == []
    assert desk.user.client_id not in desk.container.agent._analyses

    await _apart(desk)  # still due: a new analysis, for the new settings
    second = await _analysis(desk)
    assert (first.params.proposal_ttl_seconds, second.params.proposal_ttl_seconds) == (900, 1200)
    assert (await _apart(desk)).proposed
    for trade in await desk.trades("pending_approval"):
        assert datetime.fromisoformat(str(trade["expires_at"])) == START + timedelta(seconds=1200)


async def test_an_analysis_left_too_long_is_dropped(desk_factory) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    desk: Desk = await desk_factory("approval")
    await _apart(desk)
    await _analysis(desk)
    desk.clock.advance(timedelta(minutes=5))
    late = await _apart(desk)
    assert late.scanned is False
    assert late.proposed == []
    assert await desk.trades() == []


async def test_the_analysis_gives_way_to_a_tick_under_way(desk_factory, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    monkeypatch.setattr(pacing, "GIVE_WAY_SECONDS", 30.0)
    desk: Desk = await desk_factory("approval")
    agent = desk.container.agent
    with agent._pacer.foreground():  # another client's tick, waiting on its database
        await _apart(desk)
        task = agent._analyses[desk.user.client_id]
        await asyncio.sleep(0.5)
        assert not task.done(), "the analysis went on while a tick was under way"
    found = await _analysis(desk)
    assert found.candidates


async def test_a_scan_asked_for_meanwhile_replaces_the_analysis_under_way(desk_factory) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    desk: Desk = await desk_factory("approval")
    agent = desk.container.agent
    await _apart(desk)
    running = agent._analyses[desk.user.client_id]
    # The worker's `scan`, and the loop's next tick while it analyses: the forced scan analyses at
    # once (the analysis under way would give way to it), and the loop neither decides nor starts another.
    forcing = asyncio.create_task(agent.run_once(desk.user.client_id, force_scan=True))
    for _ in range(10_000):
        if desk.user.client_id in agent._forced:
            break
        await asyncio.sleep(0.001)
    assert desk.user.client_id in agent._forced, "the forced scan is analysing"
    loop_tick = await _apart(desk)
    forced = await forcing
    assert running.cancelled()
    assert forced.proposed, forced
    assert loop_tick.scanned is False
    assert loop_tick.proposed == []
    assert {t["id"] for t in await desk.trades()} == set(forced.proposed)
    assert desk.user.client_id not in agent._analyses
    assert (await _apart(desk)).scanned is False, "scanned just now: not due"
    assert desk.user.client_id not in agent._analyses


async def test_stopping_the_client_cancels_its_analysis(desk_factory) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    desk: Desk = await desk_factory("approval")
    await _apart(desk)
    task = desk.container.agent._analyses[desk.user.client_id]
    await desk.container.agent.stop(desk.user.client_id)
    assert task.cancelled() or task.done()
    assert desk.user.client_id not in desk.container.agent._analyses


async def test_the_loop_decides_as_soon_as_its_analysis_is_done(desk_factory) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    # An hour between ticks: only the analysis's own wake-up can bring the decision within the test.
    desk: Desk = await desk_factory("approval", agent_enabled=True, agent_tick_seconds=3600)
    for _ in range(300):
        if await desk.trades("pending_approval"):
            break
        await asyncio.sleep(0.05)
    assert await desk.trades("pending_approval"), "the loop did not decide on its analysis"


async def test_a_forced_scan_decides_in_its_turn(desk_factory, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    desk: Desk = await desk_factory("approval")
    agent = desk.container.agent
    turns: list[str] = []
    real = agent._pacer.turn_to_decide

    @contextlib.asynccontextmanager
    async def watched() -> AsyncIterator[None]:
        async with real():
            turns.append("decides")
            yield

    monkeypatch.setattr(agent._pacer, "turn_to_decide", watched)
    report = await agent.scan_now(desk.user.client_id)
    assert report["proposed"], report
    assert turns == ["decides"]
