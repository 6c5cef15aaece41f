"""Market data lines: one streaming ``reqMktData`` per instrument, reused by quotes and streams.

A line remembers the refusal IB sent for it (354, 10089, ...) so a caller gets an error instead of
an empty quote. After 1101 (data lost) or a reconnect every line is requested again.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

from ib_async import Contract, Ticker

from backend.brokers.errors import BrokerError
from backend.domain.instruments import SingleInstrument


@dataclass
class Line:
    """One market data subscription."""

    instrument: SingleInstrument
    contract: Contract
    ticker: Ticker | None = None
    error: BrokerError | None = None
    retried: bool = False
    """Already requested again after a live-data refusal (so a refusal cannot loop)."""

    @property
    def ready(self) -> bool:
        """Tell whether the line has a two-sided market, a last price, or an error."""
        if self.error is not None:
            return True
        ticker = self.ticker
        if ticker is None:
            return False
        has_side = not math.isnan(ticker.bid) and not math.isnan(ticker.ask)
        return has_side or not math.isnan(ticker.last)


class Lines:
    """The set of live lines, least recently used first."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lines: OrderedDict[str, Line] = OrderedDict()
        self.requests = 0
        """How many reqMktData were sent (resubscriptions included)."""

    def get(self, key: str) -> Line | None:
        """Return the line of an instrument key, marking it recently used."""
        line = self._lines.get(key)
        if line is not None:
            self._lines.move_to_end(key)
        return line

    def add(self, line: Line, pinned: set[str]) -> list[Line]:
        """Add a line; return the least recently used unpinned lines evicted to stay under the limit."""
        self._lines[line.instrument.key] = line
        evicted = []
        for key, old in list(self._lines.items()):
            if len(self._lines) <= self.limit:
                break
            if key not in pinned and old is not line:
                evicted.append(self._lines.pop(key))
        return evicted

    def all(self) -> list[Line]:
        """Return every line."""
        return list(self._lines.values())

    def by_contract(self, contract: Contract | None) -> Line | None:
        """Return the line whose contract is ``contract`` (by conId)."""
        if contract is None:
            return None
        return next((line for line in self._lines.values() if line.contract.conId == contract.conId), None)

    def clear(self) -> None:
        """Forget every line."""
        self._lines.clear()
