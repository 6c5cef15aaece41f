"""Which option contracts are listed: expiries by the usual US equity cycle, strikes by price level.

Expiries: the next few Friday weeklies, the next few monthlies (third Friday), the quarterlies of
the coming year and January LEAPS; an expiry whose Friday is a holiday moves to the session before.

Strikes: every listed strike lies on the underlying's increment lattice (1 for SPY, 2.5 or 5 for
single names), so a contract stays valid while the spot wanders; the listing shows the fine
increment near the money and a coarser one further out, over a band that widens with maturity.
"""

from __future__ import annotations

import functools
import math
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from backend.brokers.simulator.calendar import TradingCalendar
from backend.brokers.simulator.config import MarketConfig, TickRule, UnderlyingSpec
from backend.domain.instruments import Option
from backend.domain.ticks import PENNY_ALL, PENNY_PILOT, STANDARD
from backend.domain.values import Price, is_multiple_of

_FRIDAY = 4
_QUARTER_MONTHS = (3, 6, 9, 12)


def third_friday(year: int, month: int) -> date:
    """Return the third Friday of a month, the standard monthly expiry."""
    first = date(year, month, 1)
    return first + timedelta(days=(_FRIDAY - first.weekday()) % 7 + 14)


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def listed_expiries(now: datetime, calendar: TradingCalendar, config: MarketConfig) -> tuple[date, ...]:
    """Return the expiries listed at ``now`` whose last session has not closed yet."""
    today = now.date()
    candidates: set[date] = set()
    next_friday = today + timedelta(days=(_FRIDAY - today.weekday()) % 7)
    for week in range(config.weekly_expiries + 1):
        candidates.add(next_friday + timedelta(weeks=week))
    for months in range(config.monthly_expiries + 1):
        candidates.add(third_friday(*_add_months(today.year, today.month, months)))
    for months in range(13):
        year, month = _add_months(today.year, today.month, months)
        if month in _QUARTER_MONTHS:
            candidates.add(third_friday(year, month))
    for years in range(1, config.leaps_years + 1):
        candidates.add(third_friday(today.year + years, 1))
    expiries = set()
    for friday in candidates:
        session = calendar.session_on_or_before(friday)
        if calendar.session_close(session) > now:
            expiries.add(session)
    return tuple(sorted(expiries))


def coarse_increment(spec: UnderlyingSpec) -> Decimal:
    """Return the strike spacing listed away from the money."""
    return spec.strike_increment * (5 if spec.strike_increment < 2 else 2)


def listed_strikes(spec: UnderlyingSpec, spot: float, years: float) -> tuple[Price, ...]:
    """Return the strikes listed for one expiry at the current spot."""
    stdev = spec.volatility * math.sqrt(max(years, 1.0 / 365.0))
    outer = min(0.8, max(0.12, 3.5 * stdev))
    inner = min(outer, max(0.05, 1.5 * stdev))
    fine, coarse = spec.strike_increment, coarse_increment(spec)
    return _lattice(fine, _band(fine, spot, inner), coarse, _band(coarse, spot, outer))


def _band(increment: Decimal, spot: float, band: float) -> tuple[int, int]:
    # The lattice indexes i of the strikes i * increment inside spot * (1 +/- band); at least 1.
    low = Decimal(str(spot * (1 - band)))
    high = Decimal(str(spot * (1 + band)))
    first = max(1, int((low / increment).to_integral_value(rounding=ROUND_CEILING)))
    last = int((high / increment).to_integral_value(rounding=ROUND_FLOOR))
    return first, last


@functools.lru_cache(maxsize=4096)
def _lattice(
    fine: Decimal, fine_band: tuple[int, int], coarse: Decimal, coarse_band: tuple[int, int]
) -> tuple[Price, ...]:
    # Cached: every scan of every client lists every expiry, and the bands move a strike at a time.
    strikes = {fine * i for i in range(fine_band[0], fine_band[1] + 1)}
    strikes.update(coarse * i for i in range(coarse_band[0], coarse_band[1] + 1))
    return tuple(Price(strike) for strike in sorted(strikes))


def on_strike_lattice(spec: UnderlyingSpec, strike: Price) -> bool:
    """Tell whether ``strike`` is one this underlying can list."""
    return strike.value > 0 and is_multiple_of(strike.value, spec.strike_increment)


TICK_SCHEDULES = {
    TickRule.PENNY_ALL: PENNY_ALL,
    TickRule.PENNY_PILOT: PENNY_PILOT,
    TickRule.STANDARD: STANDARD,
}


def option_tick(spec: UnderlyingSpec, price: Decimal) -> Decimal:
    """Return the minimum price increment of a single-leg option order at ``price``."""
    return TICK_SCHEDULES[spec.tick_rule].tick(price)


COMBO_TICK = Decimal("0.01")
"""Complex orders trade in pennies whatever their legs' ticks."""
STOCK_TICK = Decimal("0.01")


def matches_spec(option: Option, spec: UnderlyingSpec) -> bool:
    """Tell whether an option's contract terms are the ones this venue lists."""
    return (
        option.multiplier == 100
        and option.trading_class == spec.symbol
        and option.currency == "USD"
        and option.exchange in ("SMART", "SIM")
        and on_strike_lattice(spec, option.strike)
    )
