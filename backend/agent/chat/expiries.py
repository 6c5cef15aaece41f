"""Expiry phrases ("next month", "Dec 19", "in 30 days") and their resolution to a listed expiry. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

_FRIDAY = 4
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iso", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
    ("slash", re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b")),
    (
        "month_day",
        re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*(?:delta|calls?|puts?))"),
    ),
    ("day_month", re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\b")),
    ("next_month", re.compile(r"\bnext\s+month(?:'s|ly)?\b")),
    ("this_month", re.compile(r"\bthis\s+month(?:'s|ly)?\b")),
    ("next_week", re.compile(r"\bnext\s+week(?:'s)?\b")),
    ("this_week", re.compile(r"\bthis\s+week(?:'s)?\b")),
    ("front", re.compile(r"\b(?:front|nearest|shortest|closest)(?:\s+(?:month|expiry|expiration))?\b")),
    ("days", re.compile(r"\b(?:in\s+)?(\d{1,3})\s*(?:days?|dte)\b")),
    ("month", re.compile(rf"\b(?:the\s+)?({_MONTH})\b(?:\s+(?:monthly|expiry|expiration|contracts?))?")),
)

ExpiryKind = Literal["monthly", "date", "days", "front", "week"]


@dataclass(frozen=True, slots=True)
class ExpiryPhrase:
    """What a person said about the expiry: a month's monthly, a date, a number of days, or the front one."""

    kind: ExpiryKind
    text: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    days: int | None = None
    weeks_ahead: int = 0


def third_friday(year: int, month: int) -> date:
    """Return the third Friday of a month: the standard monthly expiry."""
    first = date(year, month, 1)
    return first + timedelta(days=(_FRIDAY - first.weekday()) % 7 + 14)


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _upcoming(today: date, month: int, day: int | None = None) -> int:
    """Return the year in which `month` (and `day`) next comes round, counting today."""
    probe = date(today.year, month, min(day or 28, 28))
    if month < today.month or (month == today.month and day is not None and day < today.day):
        return today.year + 1
    return probe.year


def find_expiry(text: str, today: date) -> tuple[ExpiryPhrase | None, str]:
    """Find an expiry phrase in lower-cased `text`; return it and the text with the phrase removed."""
    for kind, pattern in _PATTERNS:
        match = pattern.search(text)
        if match is None:
            continue
        phrase = _phrase(kind, match, today)
        if phrase is not None:
            rest = (text[: match.start()] + " " + text[match.end() :]).strip()
            return phrase, re.sub(r"\s+", " ", rest)
    return None, text


def _phrase(kind: str, match: re.Match[str], today: date) -> ExpiryPhrase | None:
    text = match.group(0).strip()
    if kind == "iso":
        return ExpiryPhrase("date", text, int(match[1]), int(match[2]), int(match[3]))
    if kind == "slash":
        month, day = int(match[1]), int(match[2])
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return None
        year = int(match[3]) if match[3] else _upcoming(today, month, day)
        return ExpiryPhrase("date", text, year + 2000 if year < 100 else year, month, day)
    if kind in ("month_day", "day_month"):
        name, day_text = (match[1], match[2]) if kind == "month_day" else (match[2], match[1])
        month, day = MONTHS[name], int(day_text)
        if not 1 <= day <= 31:
            return None
        return ExpiryPhrase("date", text, _upcoming(today, month, day), month, day)
    if kind == "next_month":
        year, month = _next_month(today.year, today.month)
        return ExpiryPhrase("monthly", text, year, month)
    if kind == "this_month":
        return ExpiryPhrase("monthly", text, today.year, today.month)
    if kind in ("this_week", "next_week"):
        return ExpiryPhrase("week", text, weeks_ahead=1 if kind == "next_week" else 0)
    if kind == "front":
        return ExpiryPhrase("front", text)
    if kind == "days":
        return ExpiryPhrase("days", text, days=int(match[1]))
    month = MONTHS[match[1]]
    return ExpiryPhrase("monthly", text, _upcoming(today, month), month)


def target_date(phrase: ExpiryPhrase, today: date) -> date | None:
    """Return the date a phrase aims at (None for 'the front expiry')."""
    if phrase.kind == "monthly":
        assert phrase.year is not None
        assert phrase.month is not None
        return third_friday(phrase.year, phrase.month)
    if phrase.kind == "date":
        assert phrase.year is not None
        assert phrase.month is not None
        assert phrase.day is not None
        try:
            return date(phrase.year, phrase.month, phrase.day)
        except ValueError:
            return None
    if phrase.kind == "days":
        return today + timedelta(days=phrase.days or 0)
    if phrase.kind == "week":
        return today + timedelta(days=(_FRIDAY - today.weekday()) % 7 + 7 * phrase.weeks_ahead)
    return None


def resolve_expiry(
    phrase: ExpiryPhrase | None, listed: Sequence[date], today: date, default_days: int
) -> date | None:
    """Return the listed expiry a phrase means: the exact date when listed, else the nearest listed one.

    No phrase means the listed expiry nearest `default_days` out; None when nothing is listed.
    """
    upcoming = sorted(e for e in listed if e >= today)
    if not upcoming:
        return None
    if phrase is not None and phrase.kind == "front":
        return upcoming[0]
    aim = target_date(phrase, today) if phrase is not None else today + timedelta(days=default_days)
    if aim is None:
        return None
    # On a tie the earlier expiry wins: it is the one a person naming a date most likely meant.
    return min(upcoming, key=lambda expiry: (abs((expiry - aim).days), expiry))
