"""Background analysis gives way to the agent's ticks, but never for long, and an inline one waits for nobody."""

from __future__ import annotations

import asyncio
import time

import pytest

from backend.agent import pacing
from backend.agent.pacing import Pacer


async def test_a_background_slice_waits_for_the_ticks_under_way() -> None:
    pacer = Pacer(1)
    events: list[str] = []

    async def tick(name: str, io_seconds: float) -> None:
        with pacer.foreground():
            events.append(f"{name} starts")
            await asyncio.sleep(io_seconds)  # its database and broker calls
            events.append(f"{name} ends")

    ticks = [asyncio.create_task(tick("a", 0.01)), asyncio.create_task(tick("b", 0.02))]
    await asyncio.sleep(0)
    await pacer.next_slice()
    events.append("slice")
    await asyncio.gather(*ticks)
    assert events == ["a starts", "b starts", "a ends", "b ends", "slice"]


async def test_a_background_slice_waits_no_longer_than_its_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pacing, "GIVE_WAY_SECONDS", 0.05)
    pacer = Pacer(1)
    with pacer.foreground():  # a tick that outlasts the bound
        started = time.monotonic()
        await pacer.next_slice()
        waited = time.monotonic() - started
    assert 0.04 <= waited < 1.0


async def test_an_inline_analysis_and_an_idle_process_wait_for_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pacing, "GIVE_WAY_SECONDS", 10.0)
    pacer = Pacer(1)
    started = time.monotonic()
    await pacer.next_slice()  # no tick under way
    with pacer.foreground():  # the analysis runs inside this very tick
        await pacer.inline().next_slice()
    assert time.monotonic() - started < 1.0
    assert pacer.inline().slot() is pacer.slot(), "inline or not, one bound on searches at once"


async def test_a_background_slice_waits_out_a_deciding_tick_past_the_give_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pacing, "GIVE_WAY_SECONDS", 0.01)
    pacer = Pacer(1)
    events: list[str] = []

    async def tick(io_seconds: float, *, deciding: bool) -> None:
        with pacer.foreground(deciding=deciding):
            await asyncio.sleep(io_seconds)
            events.append("deciding tick ends" if deciding else "routine tick ends")

    deciding = asyncio.create_task(tick(0.15, deciding=True))
    await asyncio.sleep(0)
    await pacer.next_slice()
    events.append("slice")
    await deciding
    assert events == ["deciding tick ends", "slice"], "a decision's orders go before the search"

    routine = asyncio.create_task(tick(0.15, deciding=False))
    await asyncio.sleep(0)
    await pacer.next_slice()
    events.append("slice")
    await routine
    assert events[2:] == ["slice", "routine tick ends"], "a routine tick holds a slice for the give-way alone"


async def test_a_slice_waits_no_longer_than_the_decision_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pacing, "GIVE_WAY_SECONDS", 0.01)
    monkeypatch.setattr(pacing, "DECISION_HOLD_SECONDS", 0.05)
    pacer = Pacer(1)
    with pacer.foreground(deciding=True):  # a decision that outlasts the bound
        started = time.monotonic()
        await pacer.next_slice()
        waited = time.monotonic() - started
    assert 0.05 <= waited < 1.0


async def test_decisions_take_turns() -> None:
    pacer = Pacer(1)
    events: list[str] = []

    async def decide(name: str) -> None:
        async with pacer.turn_to_decide():
            events.append(f"{name} starts")
            await asyncio.sleep(0.02)  # its reads, its orders
            events.append(f"{name} ends")

    await asyncio.gather(decide("a"), decide("b"))
    assert events == ["a starts", "a ends", "b starts", "b ends"]


async def test_a_decision_waits_no_longer_than_its_turn_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pacing, "DECISION_TURN_SECONDS", 0.05)
    pacer = Pacer(1)
    stuck = asyncio.Event()
    events: list[str] = []

    async def slow() -> None:
        async with pacer.turn_to_decide():
            events.append("slow starts")
            await stuck.wait()  # a broker that does not answer
            events.append("slow ends")

    async def prompt() -> None:
        async with pacer.turn_to_decide():
            events.append("prompt decides")

    holder = asyncio.create_task(slow())
    await asyncio.sleep(0)
    started = time.monotonic()
    await prompt()
    waited = time.monotonic() - started
    stuck.set()
    await holder
    assert events == ["slow starts", "prompt decides", "slow ends"]
    assert 0.04 <= waited < 1.0
    started = time.monotonic()
    async with pacer.turn_to_decide():  # the turn is free again: the one that stopped waiting never held it
        assert time.monotonic() - started < 0.04
