"""The simulated market shared by every simulated account in the process.

It owns the clock, the exchange calendar, the price paths and the listing rules. ``sync`` brings the
paths to the clock's time and tells listeners (the accounts) about each new grid step and each
session close on the way, in order, so resting orders are re-checked and expiries processed even
when the clock jumps days at once. Prices move once a grid step: a quote is priced at the step's
start, once for every account, and stamped with the time it is asked at. Outside regular hours
(unless ``always_open``) quotes are the last close's, marked ``frozen``.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Protocol

from backend.brokers.base import DataSource, OptionChain, Quote
from backend.brokers.errors import UnknownInstrument
from backend.brokers.simulator.book import MarketView, option_quotes, stock_quote
from backend.brokers.simulator.calendar import TradingCalendar, exchange_calendar
from backend.brokers.simulator.chain import TICK_SCHEDULES, listed_expiries, listed_strikes, matches_spec
from backend.brokers.simulator.clock import Clock, SimulatedClock, WallClock
from backend.brokers.simulator.config import MarketConfig, UnderlyingSpec
from backend.brokers.simulator.universe import SECONDS_PER_YEAR, PricePaths
from backend.domain.instruments import Option, SingleInstrument, Stock

_KEPT_CLOSES = 30
_JUST_BEFORE = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class SessionClose:
    """A session just closed; ``spots`` are the closing prices."""

    session: date
    ts: datetime
    spots: MappingProxyType[str, Decimal]


class MarketListener(Protocol):
    """Something (an account) that reacts to the market moving."""

    def on_market_step(self, now: datetime, step: int) -> None:
        """React to new prices at grid step ``step``."""
        ...

    def on_session_close(self, close: SessionClose) -> None:
        """React to a session's close (expire DAY orders, settle expiring options)."""
        ...


@dataclass(frozen=True, slots=True)
class _Frozen:
    ts: datetime
    session: date
    step: int
    spots: dict[str, float]
    levels: dict[str, float]


def _stamped(quote: Quote, ts: datetime) -> Quote:
    """Return a quote computed earlier in the step, stamped with the time it is asked at."""
    return quote if quote.ts == ts else quote.stamped(ts)


class SimulatedMarket:
    """Prices, listings and hours of the simulated venue; one per process."""

    def __init__(
        self,
        config: MarketConfig | None = None,
        clock: Clock | None = None,
        calendar: TradingCalendar | None = None,
    ) -> None:
        self.config = config or MarketConfig()
        self.clock: Clock = clock or WallClock()
        self.calendar = calendar or exchange_calendar(self.config.calendar_name)
        self._step = self.config.step.total_seconds()
        start = self.config.epoch or self.clock.now()
        self.epoch = datetime.fromtimestamp(math.floor(start.timestamp() / self._step) * self._step, UTC)
        self._specs = {spec.symbol: spec for spec in self.config.universe}
        self._paths = PricePaths(
            self.config.universe,
            self.config.seed,
            self._step,
            self.config.vol_mean_reversion,
            self.config.vol_spot_beta,
        )
        self._synced_at = self.epoch
        self._frozen: _Frozen | None = None
        self.closes: deque[SessionClose] = deque(maxlen=_KEPT_CLOSES)
        self._listeners: list[MarketListener] = []
        self._syncing = False
        self._quotes_priced: tuple[datetime, int, DataSource] | None = None
        self._quotes: dict[str, Quote] = {}
        self.sync()

    # -- time -------------------------------------------------------------------------------------

    def now(self) -> datetime:
        """Return the venue's current time."""
        return self.clock.now()

    @property
    def step(self) -> int:
        """Return the current grid step of the price paths."""
        return self._paths.steps

    def _step_at(self, when: datetime) -> int:
        return max(0, math.floor((when - self.epoch).total_seconds() / self._step))

    def is_open(self, when: datetime | None = None) -> bool:
        """Tell whether orders are accepted now (always, when ``always_open``)."""
        return self.config.always_open or self.calendar.is_open(when or self._synced_at)

    def add_listener(self, listener: MarketListener) -> None:
        """Call ``listener`` on every new step and session close."""
        if listener not in self._listeners:
            self._listeners.append(listener)

    def remove_listener(self, listener: MarketListener) -> None:
        """Stop calling ``listener``."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def sync(self) -> None:
        """Bring prices to the clock's time, notifying listeners of steps and closes passed."""
        if self._syncing:
            return
        self._syncing = True
        try:
            now = self.now()
            if now <= self._synced_at:
                return
            for session, close_ts in self.calendar.closes_between(self._synced_at, now):
                # Resting orders get the session's last prices before the close freezes them.
                self._move_to(close_ts - _JUST_BEFORE)
                self._move_to(close_ts, notify=False)
                self._freeze(session, close_ts)
                close = self.closes[-1]
                for listener in list(self._listeners):
                    listener.on_session_close(close)
            self._move_to(now)
        finally:
            self._syncing = False

    def _move_to(self, when: datetime, *, notify: bool = True) -> None:
        target = self._step_at(when)
        moved = target > self._paths.steps
        self._paths.advance_to(target)
        self._synced_at = max(self._synced_at, when)
        if moved and notify:
            for listener in list(self._listeners):
                listener.on_market_step(when, target)

    def _freeze(self, session: date, close_ts: datetime) -> None:
        symbols = self._paths.symbols
        spots = {s: self._paths.spot(s) for s in symbols}
        self._frozen = _Frozen(
            close_ts, session, self._paths.steps, spots, {s: self._paths.vol_level(s) for s in symbols}
        )
        rounded = {s: Decimal(str(v)).quantize(Decimal("0.01")) for s, v in spots.items()}
        self.closes.append(SessionClose(session, close_ts, MappingProxyType(rounded)))

    def advance(self, delta: timedelta) -> datetime:
        """Move a ``SimulatedClock`` forward and sync; for tests, backtests and demos."""
        if not isinstance(self.clock, SimulatedClock):
            raise TypeError("only a SimulatedClock can be advanced")
        self.clock.advance(delta)
        self.sync()
        return self.clock.now()

    async def run(self, interval: float = 1.0) -> None:
        """Sync every ``interval`` seconds until cancelled (live runs on the wall clock)."""
        while True:
            self.sync()
            await asyncio.sleep(interval)

    # -- reference data ---------------------------------------------------------------------------

    @property
    def symbols(self) -> tuple[str, ...]:
        """Return the listed underlyings."""
        return tuple(self._specs)

    def spec(self, symbol: str) -> UnderlyingSpec:
        """Return an underlying's settings; raise ``UnknownInstrument``."""
        spec = self._specs.get(symbol.upper())
        if spec is None:
            raise UnknownInstrument(f"no such underlying: {symbol}")
        return spec

    def spot(self, symbol: str) -> Decimal:
        """Return the current (or, when closed, last closing) spot, to the cent."""
        return Decimal(str(self._view(self.spec(symbol)).spot)).quantize(Decimal("0.01"))

    def expiries(self) -> tuple[date, ...]:
        """Return the expiries listed now (the same for every underlying)."""
        return listed_expiries(self._synced_at, self.calendar, self.config)

    def expiry_close(self, expiry: date) -> datetime:
        """Return the moment an expiry's options stop trading."""
        return self.calendar.session_close(self.calendar.session_on_or_before(expiry))

    def option_chain(self, symbol: str) -> OptionChain:
        """Return the listed expiries and strikes of ``symbol``'s options."""
        self.sync()
        spec = self.spec(symbol)
        spot = self._view(spec).spot
        now = self._synced_at
        expiries = self.expiries()
        strikes = {
            expiry: listed_strikes(
                spec, spot, (self.expiry_close(expiry) - now).total_seconds() / SECONDS_PER_YEAR
            )
            for expiry in expiries
        }
        return OptionChain(
            spec.symbol,
            spec.symbol,
            100,
            "SMART",
            "USD",
            expiries,
            MappingProxyType(strikes),
            TICK_SCHEDULES[spec.tick_rule],
        )

    def resolve(self, instrument: SingleInstrument, *, held: bool = False) -> SingleInstrument:
        """Return the venue's contract for ``instrument``; raise ``UnknownInstrument``.

        ``held`` accepts an option no longer listed (already expired or past its listing window)
        because the account still holds or works it.
        """
        spec = self.spec(instrument.underlying)
        if isinstance(instrument, Stock):
            if instrument.currency != "USD":
                raise UnknownInstrument(f"no such stock: {instrument.symbol} in {instrument.currency}")
            return Stock(spec.symbol)
        if not matches_spec(instrument, spec):
            raise UnknownInstrument(f"no such option: {instrument.key}")
        if not held and instrument.expiry not in self.expiries():
            raise UnknownInstrument(f"no such expiry for {spec.symbol}: {instrument.expiry}")
        return instrument

    # -- prices -----------------------------------------------------------------------------------

    @property
    def market_time(self) -> datetime:
        """Return the time prices are at: the clock's after ``sync``, earlier while replaying."""
        return self._synced_at

    def _view(self, spec: UnderlyingSpec) -> MarketView:
        now = self._synced_at
        frozen = None if self.is_open(now) else self._frozen
        if frozen is not None:
            spot, level, as_of, step = (
                frozen.spots[spec.symbol],
                frozen.levels[spec.symbol],
                frozen.ts,
                frozen.step,
            )
            source, session, progress = DataSource.FROZEN, frozen.session, 1.0
            priced_at = as_of
        else:
            spot, level = self._paths.spot(spec.symbol), self._paths.vol_level(spec.symbol)
            as_of, step = now, self._paths.steps
            priced_at = self.epoch + self.config.step * step
            source = DataSource.LIVE if self.is_open(now) else DataSource.FROZEN
            session, close = self.calendar.next_close(now - timedelta(microseconds=1))
            opened = close - timedelta(hours=6, minutes=30)
            elapsed = (priced_at - opened).total_seconds() / (close - opened).total_seconds()
            progress = min(1.0, max(0.05, elapsed))
        return MarketView(
            spot,
            level,
            self.config.risk_free_rate,
            as_of,
            priced_at,
            step,
            session,
            progress,
            source,
            self.config.seed,
        )

    def quotes(self, instruments: Sequence[SingleInstrument]) -> list[Quote]:
        """Return one quote per instrument, in order; options are priced per underlying in a batch.

        Prices move once a step, so a quote is computed once a step and then only stamped with the
        time it is asked at: every client on this market quotes the same chains.
        """
        self.sync()
        results: dict[int, Quote] = {}
        by_underlying: dict[str, list[int]] = {}
        for index, instrument in enumerate(instruments):
            by_underlying.setdefault(self.spec(instrument.underlying).symbol, []).append(index)
        for symbol, indexes in by_underlying.items():
            spec = self._specs[symbol]
            view = self._view(spec)
            cache = self._quote_cache(view)
            options: list[tuple[int, Option]] = []
            for index in indexes:
                instrument = instruments[index]
                cached = cache.get(instrument.key)
                if cached is not None:
                    results[index] = _stamped(cached, view.as_of)
                elif isinstance(instrument, Stock):
                    results[index] = cache[instrument.key] = stock_quote(spec, view)
                else:
                    options.append((index, instrument))
            closes = [self.expiry_close(o.expiry) for _, o in options]
            priced = option_quotes(spec, view, [o for _, o in options], closes)
            for (index, option), quote in zip(options, priced, strict=True):
                results[index] = cache[option.key] = quote
        return [results[i] for i in range(len(instruments))]

    def _quote_cache(self, view: MarketView) -> dict[str, Quote]:
        """Return the quotes computed at `view`'s prices, forgetting those of earlier prices."""
        priced = (view.priced_at, view.step, view.data_source)
        if priced != self._quotes_priced:
            self._quotes_priced, self._quotes = priced, {}
        return self._quotes

    def quote(self, instrument: SingleInstrument) -> Quote:
        """Return one instrument's quote."""
        return self.quotes([instrument])[0]

    # -- persistence ------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Return the market's state as JSON-serialisable data."""
        frozen = self._frozen
        return {
            "epoch": self.epoch.isoformat(),
            "synced_at": self._synced_at.isoformat(),
            "paths": self._paths.snapshot(),
            "frozen": None
            if frozen is None
            else {
                "ts": frozen.ts.isoformat(),
                "session": frozen.session.isoformat(),
                "step": frozen.step,
                "spots": frozen.spots,
                "levels": frozen.levels,
            },
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Put the market back where ``snapshot`` found it (same config and seed assumed)."""
        self.epoch = datetime.fromisoformat(data["epoch"])
        self._synced_at = datetime.fromisoformat(data["synced_at"])
        self._paths.restore(data["paths"])
        frozen = data.get("frozen")
        self._frozen = (
            None
            if frozen is None
            else _Frozen(
                datetime.fromisoformat(frozen["ts"]),
                date.fromisoformat(frozen["session"]),
                int(frozen["step"]),
                {k: float(v) for k, v in frozen["spots"].items()},
                {k: float(v) for k, v in frozen["levels"].items()},
            )
        )
