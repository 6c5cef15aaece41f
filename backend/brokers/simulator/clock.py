"""Time for the simulated venue: the wall clock for live runs, a settable one for tests and backtests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

from backend.domain.orders import require_aware


class Clock(Protocol):
    """Something that tells the current time, always timezone-aware UTC."""

    def now(self) -> datetime:
        """Return the current time."""
        ...


class WallClock:
    """The real time."""

    def now(self) -> datetime:
        """Return the current UTC time."""
        return datetime.now(UTC)


class SimulatedClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        self._now = require_aware(start, "clock start").astimezone(UTC)

    def now(self) -> datetime:
        """Return the simulated time."""
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` and return the new time."""
        if delta < timedelta(0):
            raise ValueError("a clock does not go backwards")
        self._now += delta
        return self._now

    def set(self, when: datetime) -> datetime:
        """Jump forward to ``when`` and return it."""
        when = require_aware(when, "clock time").astimezone(UTC)
        if when < self._now:
            raise ValueError("a clock does not go backwards")
        self._now = when
        return self._now
