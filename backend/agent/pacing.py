"""Background analysis gives way to the agent's ticks: orders and exits first, the candidate search in the gaps."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Protocol

GIVE_WAY_SECONDS = 0.05
"""The longest an analysis holds its next slice for the ticks under way: it must not starve when the
process is busy, only wait its turn."""
DECISION_TURN_SECONDS = 0.1
"""The longest a decision waits for the one under way before it starts anyway: a broker slow to
answer one client's order must not hold up every other client's decisions for long."""
DECISION_HOLD_SECONDS = 0.25
"""The longest an analysis holds its next slice for a tick deciding on orders, before the give-way:
a decision's orders go first, but a stream of decisions must not stall every search."""


class Pace(Protocol):
    """How a scan's analysis shares the event loop: how many search at once, and what it does between slices."""

    def slot(self) -> asyncio.Semaphore:
        """Return the semaphore bounding the searches running at once."""
        ...

    async def next_slice(self) -> None:
        """Let other work run before the analysis's next slice."""
        ...


class Pacer:
    """Bounds the searches running at once and holds their next slice while an agent tick is under way.

    The search is Python on the event loop, in slices of a few milliseconds. A tick that awaits the
    database or the broker while a slice runs waits for that slice to end; without a pacer, it would
    wait for one at every await, as every analysis in the process takes its turn.
    """

    def __init__(self, searches: int) -> None:
        self._slots = asyncio.Semaphore(searches)
        self._ticks = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._deciding = 0
        self._decided = asyncio.Event()
        self._decided.set()
        self._turn = asyncio.Lock()

    @contextlib.contextmanager
    def foreground(self, *, deciding: bool = False) -> Iterator[None]:
        """Mark a tick under way: background analyses start no new slice until it ends (or they waited enough).

        A `deciding` tick (one that decides on a scan, and may send its orders) holds them longer
        (DECISION_HOLD_SECONDS): its orders' latency is what the analyses must not add to.
        """
        self._ticks += 1
        self._idle.clear()
        if deciding:
            self._deciding += 1
            self._decided.clear()
        try:
            yield
        finally:
            self._ticks -= 1
            if not self._ticks:
                self._idle.set()
            if deciding:
                self._deciding -= 1
                if not self._deciding:
                    self._decided.set()

    @contextlib.asynccontextmanager
    async def turn_to_decide(self) -> AsyncIterator[None]:
        """Wait for the decision under way in the process (at most DECISION_TURN_SECONDS), then decide.

        Two decisions that interleave each take twice as long from their quotes to their orders; in
        turns, each one's orders leave as soon after its own quotes as it can. Called before the
        deciding tick starts, so the wait is before its quotes are read, not between them and its orders.
        """
        taken = False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._turn.acquire(), DECISION_TURN_SECONDS)
            taken = True
        try:
            yield
        finally:
            if taken:
                self._turn.release()

    def slot(self) -> asyncio.Semaphore:
        """Return the semaphore bounding the searches running at once."""
        return self._slots

    async def next_slice(self) -> None:
        """Yield to the loop, then wait for the deciding ticks under way, then (at most GIVE_WAY_SECONDS) the rest."""
        await asyncio.sleep(0)
        if self._deciding:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._decided.wait(), DECISION_HOLD_SECONDS)
        if self._ticks:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), GIVE_WAY_SECONDS)

    def inline(self) -> Pace:
        """Return the pace of an analysis that runs inside a tick: it yields, but waits for no tick."""
        return _Inline(self._slots)


class _Inline:
    def __init__(self, slots: asyncio.Semaphore) -> None:
        self._slots = slots

    def slot(self) -> asyncio.Semaphore:
        return self._slots

    async def next_slice(self) -> None:
        await asyncio.sleep(0)
