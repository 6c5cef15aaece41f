"""Benchmark the in-process order path (quote -> signal -> risk gate -> broker call) against NautilusTrader.

Run: python bench/order_path.py [--smoke]. One process, no network, no database. Ours: each
synthetic option quote goes through a toy mean-reversion signal, a `ProposedTrade` and
`GateContext` are built, `default_gate()` checks them, an `OrderRequest` is built, and the
simulator adapter's `place_order` is called; the latency is from ingress to just before that call.
Peer: NautilusTrader's `BacktestEngine` with its risk engine on, the same count of quotes, a
strategy submitting a limit order on each; the latency is from `on_quote_tick` entry to the return
of `submit_order` (strategy -> RiskEngine -> ExecutionEngine -> exec client, synchronous there).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend.brokers.base import DataSource, Greeks, Quote
from backend.brokers.errors import BrokerError
from backend.brokers.simulator import (
    AccountConfig,
    MarketConfig,
    SimulatedClock,
    SimulatedMarket,
    SimulatorBroker,
)
from backend.domain.instruments import ComboLeg, Option, OptionRight, Side, Stock
from backend.domain.orders import OrderRequest, OrderType, TimeInForce
from backend.domain.values import NetPrice, Price, Quantity
from backend.risk import default_gate
from backend.risk.context import (
    GateContext,
    HeldPosition,
    LegMarket,
    Portfolio,
    ProposedTrade,
    RiskLimits,
    TradingStatus,
)

FULL_QUOTES = 100_000
SMOKE_QUOTES = 2_000
START = datetime(2026, 5, 11, 16, 0, tzinfo=UTC)
TARGET_P50_US, TARGET_P99_US = 20.0, 80.0


@dataclass(frozen=True)
class Figures:
    """Latency percentiles of one path, in microseconds."""

    name: str
    orders: int
    p50: float
    p99: float
    note: str = ""


def percentiles(name: str, samples_ns: list[int], note: str = "") -> Figures:
    """Return p50 and p99 of nanosecond samples in microseconds."""
    ordered = sorted(samples_ns)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return Figures(name, len(ordered), statistics.median(ordered) / 1_000, p99 / 1_000, note)


def synthetic_quotes(option: Option, n: int, seed: int = 7) -> list[Quote]:
    """Return `n` quotes of a random-walk mid one second apart."""
    rng = random.Random(seed)
    mid, out = 5.0, []
    greeks = Greeks(delta=0.5, gamma=0.02, vega=0.3, theta=-0.05, rho=0.01)
    for i in range(n):
        mid = min(max(mid + rng.choice((-0.01, 0.01)), 1.0), 9.0)
        bid = Decimal(f"{mid - 0.05:.2f}")
        quote = Quote(option, Price(bid), Price(bid + Decimal("0.10")), None, Quantity(Decimal(10)),
                      Quantity(Decimal(10)), Quantity(Decimal(1000)), Quantity(Decimal(5000)),
                      DataSource.LIVE, START + timedelta(seconds=i), greeks)  # fmt: skip
        out.append(quote)
    return out


async def run_ours(n: int) -> tuple[Figures, int]:
    """Time quote -> signal -> gate -> broker call over `n` quotes; return figures and denials."""
    option = Option("SPY", date(2026, 6, 19), Price(Decimal(500)), OptionRight.CALL)
    quotes = synthetic_quotes(option, n)
    market = SimulatedMarket(MarketConfig(), SimulatedClock(START))
    broker = SimulatorBroker(market, "bench", AccountConfig(starting_cash=Decimal(10**9)))
    await broker.connect()
    gate = default_gate()
    limits = RiskLimits(max_contracts_per_order=100, max_notional_per_order=Decimal(10**9),
                        max_premium_per_order=Decimal(10**9), max_orders_per_minute=10**9)  # fmt: skip
    portfolio = Portfolio(
        positions=(
            HeldPosition(Stock("SPY"), Decimal(10_000)),
            HeldPosition(option, Decimal(10), None, 0.5, 0.02, 0.3),
        ),
        buying_power=Decimal(10**8),
        net_liquidation=Decimal(10**8),
    )
    client, status, ema = uuid.uuid4(), TradingStatus(), 5.0
    samples: list[int] = []
    denied = 0
    for i, quote in enumerate(quotes):
        t0 = time.perf_counter_ns()
        mid = quote.mid
        if mid is None:
            continue
        side = Side.BUY if float(mid) < ema else Side.SELL
        ema += 0.1 * (float(mid) - ema)
        leg = ComboLeg(option, 1, side)
        price = mid if side is Side.BUY else -mid
        trade = ProposedTrade(
            client, "SPY", (LegMarket(leg, quote),), 1, OrderType.LIMIT, price, TimeInForce.DAY, "bench"
        )
        ctx = GateContext(trade, portfolio, limits, status, quote.ts, quote.ts.date(), orders_last_minute=0)
        decision = gate.check(ctx)
        if not decision.allowed:
            denied += 1
            continue
        request = OrderRequest(
            f"bench-{i}", option, side, Quantity(Decimal(1)), OrderType.LIMIT, NetPrice(mid)
        )
        samples.append(time.perf_counter_ns() - t0)
        # The simulator may refuse the synthetic contract; the path up to the call is what is timed.
        with contextlib.suppress(BrokerError):
            await broker.place_order(request)
    return percentiles("greekdesk", samples), denied


def run_nautilus(n: int) -> Figures | str:
    """Time NautilusTrader's strategy -> risk engine -> execution path, or say why it cannot run."""
    try:
        import nautilus_trader  # type: ignore[import-not-found,unused-ignore]
        from nautilus_trader.backtest.engine import BacktestEngine, BacktestEngineConfig  # type: ignore[import-not-found,unused-ignore]
        from nautilus_trader.config import LoggingConfig, RiskEngineConfig  # type: ignore[import-not-found,unused-ignore]
        from nautilus_trader.model.currencies import USD  # type: ignore[import-not-found,unused-ignore]
        from nautilus_trader.model.data import QuoteTick  # type: ignore[import-not-found,unused-ignore]
        from nautilus_trader.model.enums import AccountType, OmsType, OrderSide  # type: ignore[import-not-found,unused-ignore]
        from nautilus_trader.model.identifiers import Venue  # type: ignore[import-not-found,unused-ignore]
        from nautilus_trader.model.objects import Money  # type: ignore[import-not-found,unused-ignore]
        from nautilus_trader.model.objects import Price as NPrice  # type: ignore[import-not-found,unused-ignore]
        from nautilus_trader.model.objects import Quantity as NQuantity  # type: ignore[import-not-found,unused-ignore]
        from nautilus_trader.test_kit.providers import TestInstrumentProvider  # type: ignore[import-not-found,unused-ignore]
        from nautilus_trader.trading.strategy import Strategy  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        return f"nautilus_trader not importable ({exc})"

    instrument = TestInstrumentProvider.equity(symbol="AAPL", venue="XNAS")
    samples: list[int] = []

    class Bench(Strategy):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.ema = 5.0

        def on_start(self) -> None:
            self.subscribe_quote_ticks(instrument.id)

        def on_quote_tick(self, tick: Any) -> None:
            t0 = time.perf_counter_ns()
            mid = (tick.bid_price.as_double() + tick.ask_price.as_double()) / 2
            side = OrderSide.BUY if mid < self.ema else OrderSide.SELL
            self.ema += 0.1 * (mid - self.ema)
            order = self.order_factory.limit(instrument.id, side, NQuantity.from_int(1), NPrice(mid, 3))
            self.submit_order(order)
            samples.append(time.perf_counter_ns() - t0)

    engine = BacktestEngine(
        BacktestEngineConfig(
            logging=LoggingConfig(bypass_logging=True), risk_engine=RiskEngineConfig(bypass=False)
        )
    )
    engine.add_venue(Venue("XNAS"), OmsType.NETTING, AccountType.CASH, [Money(10**9, USD)], base_currency=USD)
    engine.add_instrument(instrument)
    rng, mid, ticks = random.Random(7), 5.0, []
    for i in range(n):
        mid = min(max(mid + rng.choice((-0.01, 0.01)), 1.0), 9.0)
        ts = (i + 1) * 1_000_000_000
        ticks.append(QuoteTick(instrument.id, NPrice(mid - 0.05, 2), NPrice(mid + 0.05, 2),
                               NQuantity.from_int(1000), NQuantity.from_int(1000), ts, ts))  # fmt: skip
    engine.add_data(ticks)
    engine.add_strategy(Bench())
    engine.run()
    engine.dispose()
    if not samples:
        return "nautilus_trader ran but its strategy saw no quotes"
    return percentiles("nautilus", samples, f"nautilus_trader {nautilus_trader.__version__}, risk engine on")


def main() -> int:
    """Run both paths and print their latency figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help=f"{SMOKE_QUOTES} quotes, seconds")
    args = parser.parse_args()
    n = SMOKE_QUOTES if args.smoke else FULL_QUOTES
    ours, denied = asyncio.run(run_ours(n))
    peer = run_nautilus(n)
    print(f"{n} quotes; target p50 <= {TARGET_P50_US} us, p99 <= {TARGET_P99_US} us")
    print(f"{'path':<10} {'orders':>8} {'p50 us':>8} {'p99 us':>8}  note")
    rows = [ours, peer] if isinstance(peer, Figures) else [ours]
    for f in rows:
        print(f"{f.name:<10} {f.orders:>8} {f.p50:>8.1f} {f.p99:>8.1f}  {f.note}")
    if denied:
        print(f"greekdesk gate denied {denied} signals (not timed)")
    if isinstance(peer, str):
        print(f"peer skipped: {peer}")
    meets = ours.p50 <= TARGET_P50_US and ours.p99 <= TARGET_P99_US
    print(f"greekdesk target {'met' if meets else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
