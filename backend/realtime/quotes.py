"""Quotes on the stream: held and watched instruments of each connected client, throttled per symbol.

Every interval each connected session in this process is asked for its instruments' quotes, and a
quote is published only when it moved, so one symbol costs at most one event per interval.
What a client holds and watches is re-read every `refresh_seconds`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.brokers.base import Quote
from backend.brokers.errors import BrokerError
from backend.domain.instruments import SingleInstrument, Stock
from backend.domain.values import InvalidValue
from backend.kit.db import TenantScope, scoped_session
from backend.models import AgentSettings, Position
from backend.positions.valuation import instrument_of
from backend.realtime.bus import EventBus
from backend.realtime.schemas import QuoteData
from backend.runtime.broker_sessions import BrokerSessionRegistry, ManagedSession

logger = logging.getLogger("greekdesk.realtime")
REFRESH_SECONDS = 10.0


async def watched_instruments(db: AsyncSession, client_id: uuid.UUID) -> list[SingleInstrument]:
    """Return the instruments the client holds, then the watchlist's stocks (unknown symbols skipped)."""
    held = (
        await db.execute(select(Position).where(Position.client_id == client_id, Position.quantity != 0))
    ).scalars()
    found: dict[str, SingleInstrument] = {}
    for position in held:
        instrument = instrument_of(position)
        found.setdefault(instrument.key, instrument)
    parameters = (
        await db.execute(select(AgentSettings.parameters).where(AgentSettings.client_id == client_id))
    ).scalar_one_or_none()
    watchlist = (parameters or {}).get("watchlist") or []
    for symbol in watchlist if isinstance(watchlist, list) else []:
        with contextlib.suppress(InvalidValue, TypeError, ValueError):
            stock = Stock(str(symbol))
            found.setdefault(stock.key, stock)
    return list(found.values())


def quote_data(quote: Quote) -> QuoteData:
    """Turn a broker quote into the stream's quote payload."""
    return QuoteData(
        instrument_key=quote.instrument.key,
        symbol=quote.instrument.underlying,
        bid=quote.bid.value if quote.bid else None,
        ask=quote.ask.value if quote.ask else None,
        last=quote.last.value if quote.last else None,
        underlying_price=quote.underlying_price.value if quote.underlying_price else None,
        data_source=quote.data_source.value,
        quoted_at=quote.ts,
    )


class QuotePublisher:
    """Publishes moved quotes of every connected session this process holds."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        registry: BrokerSessionRegistry,
        bus: EventBus,
        interval: float,
        refresh_seconds: float = REFRESH_SECONDS,
    ) -> None:
        self._sessions = sessions
        self._registry = registry
        self._bus = bus
        self._interval = interval
        self._refresh = refresh_seconds
        self._watched: dict[uuid.UUID, tuple[float, Sequence[SingleInstrument]]] = {}
        self._last: dict[tuple[uuid.UUID, str], tuple[object, ...]] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start publishing in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="quote-publisher")

    async def close(self) -> None:
        """Stop publishing."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            for session in self._registry.all():
                if session.state != "connected":
                    continue
                try:
                    await self.publish_moved(session)
                except (BrokerError, OSError, TimeoutError) as exc:
                    logger.warning(
                        "could not read quotes",
                        extra={"client_id": str(session.client_id), "error": str(exc)},
                    )
                except Exception:
                    logger.exception("quote publishing failed", extra={"client_id": str(session.client_id)})

    async def publish_moved(self, session: ManagedSession) -> int:
        """Publish the client's quotes that moved since the last publish; return how many."""
        instruments = await self._instruments(session.client_id)
        if not instruments:
            return 0
        published = 0
        for quote in await session.broker.quotes(instruments):
            key = (session.client_id, quote.instrument.key)
            signature = (quote.bid, quote.ask, quote.last)
            if self._last.get(key) == signature:
                continue
            self._last[key] = signature
            self._bus.publish(session.client_id, quote_data(quote))
            published += 1
        return published

    async def _instruments(self, client_id: uuid.UUID) -> Sequence[SingleInstrument]:
        cached = self._watched.get(client_id)
        now = time.monotonic()
        if cached is not None and now - cached[0] < self._refresh:
            return cached[1]
        async with scoped_session(self._sessions, TenantScope.for_client(client_id)) as db:
            instruments = await watched_instruments(db, client_id)
        self._watched[client_id] = (now, instruments)
        return instruments
