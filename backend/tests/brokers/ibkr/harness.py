"""Factories: a fake gateway on a free loopback port and an ``IbkrBroker`` pointed at it."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from backend.brokers.ibkr import IbkrBroker, IbkrSettings, IbkrTuning
from backend.brokers.ibkr.fake_gateway import FakeGateway
from backend.brokers.simulator import AccountConfig
from backend.tests.brokers.factories import create_market

ACCOUNT = "DU1234567"
FAST = IbkrTuning(
    connect_timeout=2.0,
    request_timeout=5.0,
    order_ack_timeout=3.0,
    quote_wait=2.0,
    heartbeat_interval=0.5,
    heartbeat_timeout=0.5,
    reconnect_base_delay=0.05,
    reconnect_max_delay=0.2,
)
_client_ids = itertools.count(11)


@dataclass
class Rig:
    """A running fake gateway and an (unconnected) adapter pointed at it."""

    gateway: FakeGateway
    broker: IbkrBroker

    async def advance(self, delta: timedelta) -> None:
        """Move the simulated market and let the adapter see what the gateway sent."""
        self.gateway.advance(delta)
        await self.broker.conn.round_trip()


async def create_rig(*, cash: Decimal = Decimal(100_000), tuning: IbkrTuning = FAST, **settings: Any) -> Rig:
    """Start a fake gateway on a free port and build an adapter for it."""
    gateway = FakeGateway(create_market(), ACCOUNT, account_config=AccountConfig(starting_cash=cash))
    port = await gateway.start("127.0.0.1", 0)
    config = IbkrSettings(
        host="127.0.0.1", port=port, client_id=next(_client_ids), account_code=ACCOUNT, **settings
    )
    return Rig(gateway, IbkrBroker(config, tuning, clock=gateway.market.now))


@asynccontextmanager
async def running_rig(**kwargs: Any) -> AsyncIterator[Rig]:
    """Yield a rig with the adapter connected; close both afterwards."""
    rig = await create_rig(**kwargs)
    await rig.broker.connect()
    try:
        yield rig
    finally:
        await rig.broker.close()
        await rig.gateway.stop()


async def until(condition: Callable[[], bool], within: float = 5.0) -> None:
    """Wait until ``condition`` holds (state changed by socket callbacks, which signal nothing)."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - nothing to await: ib_async callbacks flip the state
            await asyncio.sleep(0.02)


def with_tuning(**changes: Any) -> IbkrTuning:
    """Return the fast test tuning with some knobs changed."""
    return replace(FAST, **changes)
