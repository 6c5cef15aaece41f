"""Factories for simulated markets and accounts on a simulated clock."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from backend.brokers.simulator import (
    AccountConfig,
    MarketConfig,
    SimulatedClock,
    SimulatedMarket,
    SimulatorBroker,
)

MONDAY_MIDDAY = datetime(2026, 5, 11, 16, 0, tzinfo=UTC)
"""Noon in New York on an ordinary Monday session."""


def create_market(start: datetime = MONDAY_MIDDAY, **config: Any) -> SimulatedMarket:
    """Build a market on a simulated clock starting at ``start``."""
    return SimulatedMarket(MarketConfig(**config), SimulatedClock(start))


async def create_broker(
    market: SimulatedMarket | None = None,
    account_id: str = "acct-1",
    *,
    cash: Decimal = Decimal(100_000),
    connect: bool = True,
    **account: Any,
) -> SimulatorBroker:
    """Build (and by default connect) a simulated account."""
    broker = SimulatorBroker(
        market or create_market(), account_id, AccountConfig(starting_cash=cash, **account)
    )
    if connect:
        await broker.connect()
    return broker
