"""The measured process of bench/tenant_density.py: Greekdesk (`ours`) or the bare-asyncio `peer`.

`ours`: `create_app()` with its lifespan under uvicorn in this process (the embedded `greekdesk run`
shape: API, broker sessions, order sync, agent loops and the stream in one process), settings from
the environment. `add N` creates N clients with the real service (each gets a simulator account),
puts their agent in autonomous mode and opens their broker session, which starts their agent loop.

Timing hook (bench-side, no app change): the app exports no per-tick timing, so this process wraps
`AgentRuntime.run_once` (stamps the tick's start in a context variable) and
`SimulatorBroker.place_order` (reads it). Tick-to-order is the time from the start of the agent
tick that decided an order (the loop waking up, before its quote reads, the legs' re-quote and the
risk gate) to the call of the broker's `place_order` for it. In the loop a scan's analysis (chains
and the candidate search) runs apart and the tick after it decides, so tick-to-order does not hold
the analysis; scan-to-order does: from the start of the analysis the order came from (before its
chain reads) to the same call. It wraps the runtime's `analyse` and `decide` the same way. The
wrappers only read the clock and call through.

`peer`: N bare asyncio tasks, each with its own `SimulatorBroker` on one shared simulated market,
making the same broker calls as our loop without our stack (no database, no analysis, no gate):
per tick the watchlist's quotes; per scan interval the scan's chain listings and strike quotes,
then one limit order per watchlist symbol; tick-to-order is measured the same way.

Protocol: `BENCH ready {json}`; `add N` -> `BENCH added {json}`; `mark`; `stats` -> `BENCH stats {json}`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import json
import os
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.brokers.errors import BrokerError  # noqa: E402
from backend.brokers.simulator import AccountConfig, MarketConfig, SimulatedMarket, SimulatorBroker  # noqa: E402
from backend.domain.instruments import Option, OptionRight, Side, Stock  # noqa: E402
from backend.domain.orders import OrderRequest, OrderState, OrderType  # noqa: E402
from backend.domain.values import NetPrice, Quantity  # noqa: E402
from bench.ws_fanout_servers import raise_file_limit, say, stdin_lines  # noqa: E402

WATCHLIST = ("SPY", "QQQ", "AAPL")  # the default profile's
_tick_started: contextvars.ContextVar[float | None] = contextvars.ContextVar("tick_started", default=None)
_scan_started: contextvars.ContextVar[float | None] = contextvars.ContextVar("scan_started", default=None)


class Samples:
    """Tick durations and tick-to-order times (seconds) since the last mark."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget everything (a new window starts)."""
        self.ticks: list[float] = []
        self.orders: list[float] = []
        self.scan_orders: list[float] = []
        self.scans = self.proposed = self.approved = 0
        self.errors: list[str] = []

    def as_json(self) -> str:
        """Milliseconds, for the driver."""
        return json.dumps(
            {
                "tick_ms": [round(v * 1000, 3) for v in self.ticks],
                "order_ms": [round(v * 1000, 3) for v in self.orders],
                "scan_order_ms": [round(v * 1000, 3) for v in self.scan_orders],
                "scans": self.scans,
                "proposed": self.proposed,
                "approved": self.approved,
                "errors": self.errors[:5],
            }
        )


SAMPLES = Samples()


def install_timing_hooks() -> None:
    """Wrap the agent tick, its scan's two halves and the simulator's order call so tick-to-order can be read."""
    import backend.agent.runtime as runtime
    from backend.agent.runtime import AgentRuntime, TickReport
    from backend.agent.scanner import Analysis, ScanSummary

    run_once = AgentRuntime.run_once
    place_order = SimulatorBroker.place_order
    # Names the runtime imported: patched in its namespace, where it looks them up.
    namespace = vars(runtime)
    analyse: Callable[..., Awaitable[Analysis]] = namespace["analyse"]
    decide: Callable[..., Awaitable[ScanSummary]] = namespace["decide"]
    # By id, holding the analysis so that its id is not reused while it waits for its decision.
    analysis_started: dict[int, tuple[Analysis, float]] = {}

    async def timed_run_once(self: AgentRuntime, client_id: uuid.UUID, **flags: bool) -> TickReport:
        started = time.perf_counter()
        token, scan_token = _tick_started.set(started), _scan_started.set(None)
        try:
            report = await run_once(self, client_id, **flags)
            SAMPLES.scans += report.scanned
            SAMPLES.proposed += len(report.proposed)
            SAMPLES.approved += len(report.approved)
            return report
        finally:
            _tick_started.reset(token)
            _scan_started.reset(scan_token)
            SAMPLES.ticks.append(time.perf_counter() - started)

    async def timed_analyse(*args: Any, **kwargs: Any) -> Analysis:
        started = time.perf_counter()
        found = await analyse(*args, **kwargs)
        analysis_started[id(found)] = (found, started)
        return found

    async def timed_decide(*args: Any, **kwargs: Any) -> ScanSummary:
        found = next(arg for arg in args if isinstance(arg, Analysis))
        # Left set for the rest of the tick: its approvals place the orders after `decide` returns.
        _, started = analysis_started.pop(id(found), (found, None))
        _scan_started.set(started)
        return await decide(*args, **kwargs)

    async def timed_place_order(self: SimulatorBroker, request: OrderRequest) -> OrderState:
        started, scan = _tick_started.get(), _scan_started.get()
        if started is not None:  # an order the agent's tick decided (not an operator's or a user's)
            SAMPLES.orders.append(time.perf_counter() - started)
        if scan is not None:
            SAMPLES.scan_orders.append(time.perf_counter() - scan)
        return await place_order(self, request)

    AgentRuntime.run_once = timed_run_once  # type: ignore[method-assign]
    namespace["analyse"], namespace["decide"] = timed_analyse, timed_decide
    SimulatorBroker.place_order = timed_place_order  # type: ignore[method-assign]


async def control(add: Callable[[int], Awaitable[list[list[str]]]]) -> None:
    """Answer add/mark/stats from stdin until it closes."""
    reader = await stdin_lines()
    while words := (await reader.readline()).decode().split():
        if words[0] == "add":
            say("added " + json.dumps(await add(int(words[1]))))
        elif words[0] == "mark":
            SAMPLES.reset()
        elif words[0] == "stats":
            say("stats " + SAMPLES.as_json())


# ---- ours -------------------------------------------------------------------------------------------


async def _new_client(container: Any, i: int) -> list[str]:
    from backend.agent import settings_service
    from backend.agent.parameters import RiskProfile
    from backend.audit.service import Actor, open_cross_tenant
    from backend.clients import service as client_service
    from backend.kit.db import NO_TENANT, TenantScope, scoped_session
    from backend.models.user import ROLE_CLIENT

    actor = Actor.system("bench")
    async with scoped_session(container.sessions, NO_TENANT) as session:
        await open_cross_tenant(session, actor=actor, reason="tenant_density seed")
        created = await client_service.create_client(
            session,
            name=f"Density {i}",
            email=f"density-{uuid.uuid4().hex[:10]}@example.com",
            password="bench-password-" + uuid.uuid4().hex,
            passwords=container.passwords,
            actor=actor,
            with_simulator=True,
        )
    client_id = created.client.id
    async with scoped_session(container.sessions, TenantScope.for_client(client_id)) as session:
        await settings_service.set_mode(session, client_id, "autonomous", actor=actor)
        interval = int(os.environ.get("BENCH_SCAN_INTERVAL", "300"))
        await settings_service.update_parameters(
            session,
            client_id,
            actor=actor,
            risk_profile=cast(RiskProfile, os.environ.get("BENCH_RISK_PROFILE", "moderate")),
            change={"scan_interval_seconds": interval},
        )
    await container.brokers.session_for(client_id)  # connects; its listener starts the agent loop
    token = container.tokens.issue_access(created.user.id, ROLE_CLIENT, client_id, session_id=uuid.uuid4())
    return [str(client_id), token]


async def serve_ours() -> None:
    """Serve the app with its lifespan and add clients on demand."""
    import uvicorn

    from backend.config import load_settings
    from backend.main import create_app

    install_timing_hooks()
    app = create_app(load_settings())
    container = app.state.container
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False)
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    say("ready " + json.dumps({"port": server.servers[0].sockets[0].getsockname()[1]}))
    count = 0

    async def add(n: int) -> list[list[str]]:
        nonlocal count
        added = []
        for _ in range(n):
            added.append(await _new_client(container, count))
            count += 1
        return added

    try:
        await control(add)
    finally:
        server.should_exit = True
        await task


# ---- peer -------------------------------------------------------------------------------------------


async def _bare_scan(broker: SimulatorBroker, today: date) -> None:
    # The broker calls of our scan (holdings, then per symbol the listing and, for up to three
    # expiries 14-45 days out, the quotes of the underlying and every strike), without the analysis.
    await broker.positions()
    await broker.account_summary()
    for symbol in WATCHLIST:
        listing = await broker.option_chain(symbol)
        for expiry in [e for e in listing.expiries if 14 <= (e - today).days <= 45][:3]:
            await broker.option_chain(symbol)
            options = [
                Option(listing.underlying, expiry, strike, right, listing.multiplier, listing.trading_class)
                for strike in listing.strikes_for(expiry)
                for right in (OptionRight.CALL, OptionRight.PUT)
            ]
            await broker.quotes([Stock(symbol), *options])


async def _bare_loop(broker: SimulatorBroker, tick_seconds: float, scan_seconds: float) -> None:
    """Per tick: the watchlist's quotes; per scan interval: the scan's broker calls and three orders."""
    instruments = [Stock(symbol) for symbol in WATCHLIST]
    last_scan = -scan_seconds
    n = 0
    while True:
        started = time.perf_counter()
        quotes = await broker.quotes(instruments)
        if started - last_scan >= scan_seconds:
            last_scan = started
            await _bare_scan(broker, datetime.now(UTC).date())
            SAMPLES.scans += 1
            for instrument, quote in zip(instruments, quotes, strict=True):
                if quote.ask is None:
                    continue
                n += 1
                request = OrderRequest(
                    f"peer-{broker.account_id}-{n}",
                    instrument,
                    Side.BUY,
                    Quantity(Decimal(1)),
                    OrderType.LIMIT,
                    NetPrice(quote.ask.value),
                )
                # The peer's tick holds its scan's reads: its scan-to-order is its tick-to-order.
                SAMPLES.orders.append(time.perf_counter() - started)
                SAMPLES.scan_orders.append(SAMPLES.orders[-1])
                try:
                    await broker.place_order(request)
                except BrokerError as exc:  # counted and shown: the peer must not fail quietly
                    SAMPLES.errors.append(repr(exc))
        SAMPLES.ticks.append(time.perf_counter() - started)
        await asyncio.sleep(tick_seconds)


async def serve_peer(tick_seconds: float, scan_seconds: float) -> None:
    """Run bare loops on one shared simulated market (wall clock, always open)."""
    market = SimulatedMarket(MarketConfig(always_open=True))
    ticker = asyncio.create_task(market.run(interval=1.0))
    loops: list[asyncio.Task[None]] = []
    say("ready {}")

    async def add(n: int) -> list[list[str]]:
        for _ in range(n):
            broker = SimulatorBroker(
                market, f"PEER-{len(loops):04d}", AccountConfig(starting_cash=Decimal(10**9))
            )
            await broker.connect()
            loops.append(asyncio.create_task(_bare_loop(broker, tick_seconds, scan_seconds)))
        return []

    try:
        await control(add)
    finally:
        for task in (*loops, ticker):
            task.cancel()
        await asyncio.gather(*loops, ticker, return_exceptions=True)


def main() -> None:
    """Run the process named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("process", choices=["ours", "peer"])
    parser.add_argument(
        "--tick-seconds", type=float, default=1.0, help="peer only (ours: AGENT_TICK_SECONDS)"
    )
    args = parser.parse_args()
    raise_file_limit()
    coroutine = (
        serve_ours()
        if args.process == "ours"
        else serve_peer(args.tick_seconds, float(os.environ.get("BENCH_SCAN_INTERVAL", "300")))
    )
    try:
        import uvloop
    except ImportError:
        asyncio.run(coroutine)
    else:
        uvloop.run(coroutine)


if __name__ == "__main__":
    main()
