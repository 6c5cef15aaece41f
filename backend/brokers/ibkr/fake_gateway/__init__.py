"""A fake IB Gateway speaking the TWS socket protocol, driven by the simulated market.

    gateway = FakeGateway(market, account="DU1234567")
    port = await gateway.start("127.0.0.1", 0)      # real ib_async clients connect here
    gateway.advance(timedelta(minutes=1))           # simulated clock: move, fill, stream
    gateway.faults.live_market_data = False         # and other faults, see ``Faults``

``serve`` runs one on the wall clock until cancelled; ``main`` is the ``greekdesk dev fake-tws``
command.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from collections.abc import Callable

from backend.brokers.ibkr.fake_gateway.messages import SERVER_VERSION
from backend.brokers.ibkr.fake_gateway.server import FakeGateway
from backend.brokers.ibkr.fake_gateway.session import Faults, Frame
from backend.brokers.simulator import AccountConfig, MarketConfig, SimulatedMarket

__all__ = ["SERVER_VERSION", "FakeGateway", "Faults", "Frame", "main", "serve"]


async def serve(
    host: str,
    port: int,
    market: SimulatedMarket,
    *,
    account: str = "DU1234567",
    account_config: AccountConfig | None = None,
    interval: float = 1.0,
    on_ready: Callable[[FakeGateway], None] | None = None,
) -> None:
    """Serve a fake gateway on ``host:port`` until cancelled, syncing the market every ``interval``."""
    gateway = FakeGateway(market, account, account_config=account_config)
    await gateway.start(host, port)
    if on_ready is not None:
        on_ready(gateway)
    try:
        while True:
            market.sync()
            gateway.pump()
            await asyncio.sleep(interval)
    finally:
        await gateway.stop()


def main(argv: list[str] | None = None) -> int:
    """Run a fake IB Gateway on the wall clock (``greekdesk dev fake-tws --port P``)."""
    parser = argparse.ArgumentParser(prog="greekdesk dev fake-tws", description=main.__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (loopback by default)")
    parser.add_argument("--port", type=int, default=4002, help="port (4002 is IB Gateway paper)")
    parser.add_argument("--account", default="DU1234567", help="account code the gateway manages")
    parser.add_argument("--seed", type=int, default=7, help="seed of the simulated prices")
    parser.add_argument("--always-open", action="store_true", help="trade outside exchange hours")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between market updates")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    market = SimulatedMarket(MarketConfig(seed=args.seed, always_open=args.always_open))

    def ready(gateway: FakeGateway) -> None:
        print(f"fake IB gateway (server version {SERVER_VERSION}) on {args.host}:{gateway.port}", flush=True)

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve(args.host, args.port, market, account=args.account, interval=args.interval, on_ready=ready)
        )
    return 0
