"""The simulated venue: one shared market per process and one account per client, behind the port.

    market = SimulatedMarket(MarketConfig(seed=7, always_open=True))   # wall clock by default
    ticker = asyncio.create_task(market.run(interval=1.0))            # live runs: move prices
    broker = SimulatorBroker(market, account_id=str(client_id), config=AccountConfig())
    broker.restore(saved)                                             # optional, from snapshot()
    await broker.connect()

Tests and backtests pass ``clock=SimulatedClock(start)`` and call ``market.advance(delta)``.
"""

from backend.brokers.simulator.adapter import SimulatorBroker
from backend.brokers.simulator.clock import Clock, SimulatedClock, WallClock
from backend.brokers.simulator.config import AccountConfig, AccountType, MarketConfig, UnderlyingSpec
from backend.brokers.simulator.market import SimulatedMarket

__all__ = [
    "AccountConfig",
    "AccountType",
    "Clock",
    "MarketConfig",
    "SimulatedClock",
    "SimulatedMarket",
    "SimulatorBroker",
    "UnderlyingSpec",
    "WallClock",
]
