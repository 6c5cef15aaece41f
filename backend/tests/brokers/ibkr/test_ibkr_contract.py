"""The broker contract run against the IBKR adapter over a real socket to the fake gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from backend.brokers.ibkr.fake_gateway import FakeGateway
from backend.tests.brokers.contract_suite import BrokerContract, BrokerHarness
from backend.tests.brokers.ibkr.harness import create_rig


class TestIbkrContract(BrokerContract):
    """Every numbered case against ib_async talking to a fake gateway on a simulated clock."""

    gateways: list[FakeGateway]

    @pytest.fixture(autouse=True)
    async def _stop_gateways(self) -> AsyncIterator[None]:
        self.gateways = []
        yield
        for gateway in self.gateways:
            await gateway.stop()

    async def make_harness(self) -> BrokerHarness:
        rig = await create_rig()
        self.gateways.append(rig.gateway)
        return BrokerHarness(broker=rig.broker, underlying="SPY", places_orders=True, advance=rig.advance)
