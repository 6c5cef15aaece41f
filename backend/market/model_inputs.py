"""The inputs the option model needs beyond a quote: rate, dividend yield, time to expiry."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from backend.brokers.simulator.config import DEFAULT_UNIVERSE

NEW_YORK = ZoneInfo("America/New_York")
US_CLOSE = time(16, 0)
YEAR = timedelta(days=365)

# Reference continuous dividend yields; the simulated venue is configured from the same table,
# so its own greeks and ours agree. Unknown symbols are treated as paying none.
DIVIDEND_YIELDS: dict[str, Decimal] = {
    spec.symbol: Decimal(str(spec.dividend_yield)) for spec in DEFAULT_UNIVERSE
}


def dividend_yield(symbol: str) -> Decimal:
    """Return the reference continuous dividend yield of `symbol` (0 when unknown)."""
    return DIVIDEND_YIELDS.get(symbol.upper(), Decimal(0))


def expiry_close(expiry: date) -> datetime:
    """Return when a US equity option stops trading: 16:00 New York time on its expiry date."""
    return datetime.combine(expiry, US_CLOSE, NEW_YORK).astimezone(UTC)


def years_between(start: datetime, end: datetime) -> float:
    """Return the time from `start` to `end` in 365-day years (negative once past)."""
    return (end - start) / YEAR
