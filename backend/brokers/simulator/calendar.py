"""Exchange sessions from the ``exchange_calendars`` package (XNYS by default).

The package's calendar is read once into plain sorted lists so that the hot checks (is the market
open now, which closes did the clock just pass) are bisections. Past the package's horizon (about a
year ahead) sessions continue as plain weekdays 09:30-16:00 New York, which is enough to list and
expire far-dated options.
"""

from __future__ import annotations

import warnings
from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from backend.domain.orders import require_aware

_NEW_YORK = ZoneInfo("America/New_York")
_EXTENSION_YEARS = 4


class TradingCalendar:
    """Regular sessions of one exchange: open and close times, and which days trade."""

    def __init__(self, sessions: list[date], opens: list[datetime], closes: list[datetime]) -> None:
        if not (len(sessions) == len(opens) == len(closes)) or not sessions:
            raise ValueError("sessions, opens and closes must be non-empty and aligned")
        self._sessions = sessions
        self._opens = opens
        self._closes = closes
        self._session_set = frozenset(sessions)

    @classmethod
    def weekdays(cls, start: date, end: date) -> TradingCalendar:
        """Build a calendar of every weekday, 09:30-16:00 New York (no holidays)."""
        sessions, opens, closes = [], [], []
        day = start
        while day <= end:
            if day.weekday() < 5:
                sessions.append(day)
                opens.append(datetime.combine(day, time(9, 30), _NEW_YORK).astimezone(UTC))
                closes.append(datetime.combine(day, time(16, 0), _NEW_YORK).astimezone(UTC))
            day += timedelta(days=1)
        return cls(sessions, opens, closes)

    @property
    def sessions(self) -> list[date]:
        """Return every session day, ascending."""
        return list(self._sessions)

    @property
    def opens(self) -> list[datetime]:
        """Return every session's open (UTC), aligned with ``sessions``."""
        return list(self._opens)

    @property
    def closes(self) -> list[datetime]:
        """Return every session's close (UTC), aligned with ``sessions``."""
        return list(self._closes)

    @property
    def last_session(self) -> date:
        """Return the last session the calendar knows."""
        return self._sessions[-1]

    def is_session(self, day: date) -> bool:
        """Tell whether the exchange trades on ``day``."""
        return day in self._session_set

    def is_open(self, when: datetime) -> bool:
        """Tell whether ``when`` falls inside a regular session."""
        require_aware(when)
        index = bisect_right(self._closes, when)
        return index < len(self._closes) and self._opens[index] <= when

    def session_close(self, day: date) -> datetime:
        """Return the close of session ``day`` (UTC); raise if ``day`` does not trade."""
        index = bisect_left(self._sessions, day)
        if index == len(self._sessions) or self._sessions[index] != day:
            raise ValueError(f"{day} is not a session")
        return self._closes[index]

    def next_close(self, when: datetime) -> tuple[date, datetime]:
        """Return the first session close strictly after ``when``."""
        index = bisect_right(self._closes, require_aware(when))
        if index == len(self._closes):
            raise ValueError(f"{when} is past the calendar's horizon")
        return self._sessions[index], self._closes[index]

    def closes_between(self, start: datetime, end: datetime) -> list[tuple[date, datetime]]:
        """Return the sessions whose close is in ``(start, end]``, in order."""
        low = bisect_right(self._closes, start)
        high = bisect_right(self._closes, end)
        return list(zip(self._sessions[low:high], self._closes[low:high], strict=True))

    def session_on_or_before(self, day: date) -> date:
        """Return ``day`` if it trades, else the session before it (Good Friday -> Thursday)."""
        index = bisect_right(self._sessions, day)
        if index == 0:
            raise ValueError(f"{day} is before the calendar's first session")
        return self._sessions[index - 1]

    def sessions_between(self, start: date, end: date) -> list[date]:
        """Return the sessions from ``start`` to ``end`` inclusive."""
        return self._sessions[bisect_left(self._sessions, start) : bisect_right(self._sessions, end)]


@lru_cache(maxsize=4)
def exchange_calendar(name: str = "XNYS") -> TradingCalendar:
    """Load exchange ``name`` from ``exchange_calendars`` once per process, extended by weekdays."""
    import exchange_calendars  # type: ignore[import-untyped]  # no type hints shipped

    with warnings.catch_warnings():
        # The package trips pandas' own deprecation notices; they are its to fix, not ours.
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        calendar = exchange_calendars.get_calendar(name)
        sessions: list[date] = [ts.date() for ts in calendar.sessions]
        opens: list[datetime] = [ts.to_pydatetime().astimezone(UTC) for ts in calendar.opens]
        closes: list[datetime] = [ts.to_pydatetime().astimezone(UTC) for ts in calendar.closes]
    last = sessions[-1]
    tail = TradingCalendar.weekdays(last + timedelta(days=1), last + timedelta(days=365 * _EXTENSION_YEARS))
    return TradingCalendar(sessions + tail.sessions, opens + tail.opens, closes + tail.closes)
