"""The broker contract run against the simulator."""

from __future__ import annotations

from datetime import timedelta

from backend.tests.brokers.contract_suite import BrokerContract, BrokerHarness
from backend.tests.brokers.factories import create_broker, create_market


class TestSimulatorContract(BrokerContract):
    """Every numbered case against a fresh simulated account on a simulated clock."""

    async def make_harness(self) -> BrokerHarness:
        market = create_market()
        broker = await create_broker(market, connect=False)

        async def advance(delta: timedelta) -> None:
            market.advance(delta)

        return BrokerHarness(broker=broker, underlying="SPY", places_orders=True, advance=advance)
