"""Benchmark how many clients one Greekdesk process carries: agent loops, simulators, viewers, API reads.

Run: python bench/tenant_density.py [--smoke] [--steps 25,50,100,200,300] [--seconds 60]
[--tick-seconds 1] [--scan-interval 60] [--api-rps 20] [--redis-url URL].
One Greekdesk process (bench/tenant_density_server.py: create_app under uvicorn, the embedded
`greekdesk run` shape) on a fresh PostgreSQL database (migrated, row-level security on, see
bench/api_load_seed.py) and Redis (bus, tickets). Each step adds clients up to the step's count:
each has a simulator account, an autonomous agent loop (AGENT_TICK_SECONDS) and two stream viewers
(a separate reader process per step); a light open-loop GET /positions load (`--api-rps`, round
robin over the clients) runs through the measured window. Per step: p50/p99 tick duration, orders
and p50/p99 tick-to-order (t2o, the p99 judged) and p99 scan-to-order (s2o, not judged; see the
server's docstring), API p50/p99, the server process's CPU (100% = one core: one Python process
cannot use more) and the whole machine's. A step passes while p99
tick-to-order <= 50 ms, API p99 <= 200 ms, CPU <= 80% and no viewer is dropped; the stepping stops
at the first step over the API, CPU or viewer limit (tick-to-order misses from the first step).
Peer: the same loop count of bare asyncio tasks doing the same broker calls, in its own process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api_load_seed import app_environment, create_database, drop_database  # noqa: E402
from bench.ws_fanout import Child, cpu_seconds  # noqa: E402

HERE = Path(__file__).resolve().parent
TARGET_ORDER_P99_MS, TARGET_API_P99_MS, TARGET_CPU, TARGET_CLIENTS = 50.0, 200.0, 0.80, 200
SETTLE_SECONDS = 5.0


@dataclass(frozen=True)
class Step:
    """One measured window at one client count."""

    process: str
    clients: int
    ticks: int
    scans: int
    tick_p50: float
    tick_p99: float
    orders: int
    order_p50: float
    order_p99: float
    scan_order_p99: float
    api_requests: int
    api_p50: float
    api_p99: float
    api_errors: int
    cpu: float
    machine_cpu: float
    dropped: int

    def misses(self) -> list[str]:
        """The limits this step broke: tick-to-order, API latency (and errors), CPU, viewers dropped."""
        missed = []
        if not self.order_p99 <= TARGET_ORDER_P99_MS:  # no order in the window is not a pass
            missed.append("t2o")
        if self.process != "peer" and not (self.api_p99 <= TARGET_API_P99_MS and self.api_errors == 0):
            missed.append("api")
        if self.cpu > TARGET_CPU:
            missed.append("cpu")
        if self.dropped:
            missed.append("dropped")
        return missed

    def within_capacity(self) -> bool:
        """Within the limits that grow with the client count (API latency, CPU, viewers)."""
        return not set(self.misses()) - {"t2o"}


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _machine_busy() -> tuple[float, float]:
    fields = [float(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


async def _api_load(
    base: str, streams: list[list[str]], rps: float, seconds: float
) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:

        async def one(client_id: str, token: str) -> None:
            nonlocal errors
            started = time.perf_counter()
            try:
                response = await http.get(
                    f"/clients/{client_id}/positions", headers={"Authorization": f"Bearer {token}"}
                )
                errors += response.status_code != 200
            except httpx.HTTPError:
                errors += 1
            latencies.append((time.perf_counter() - started) * 1000)

        tasks = []
        start = time.perf_counter()
        for i in range(int(rps * seconds)):
            await asyncio.sleep(max(0.0, start + i / rps - time.perf_counter()))
            client_id, token = streams[i % len(streams)]
            tasks.append(asyncio.create_task(one(client_id, token)))
        await asyncio.gather(*tasks)
    return latencies, errors


def _measure(name: str, clients: int, server: Child, args: argparse.Namespace, base: str | None,
             streams: list[list[str]], readers: list[Child]) -> Step:  # fmt: skip
    if not args.smoke:
        server.send("mark")  # (the smoke window starts before the clients are added: see main)
    cpu_before, (busy_before, total_before) = cpu_seconds(server.process.pid), _machine_busy()
    started = time.monotonic()
    if base is not None:
        latencies, errors = asyncio.run(_api_load(base, streams, args.api_rps, args.seconds))
    else:
        latencies, errors = [], 0
        time.sleep(args.seconds)
    wall = time.monotonic() - started
    cpu = (cpu_seconds(server.process.pid) - cpu_before) / wall
    busy_after, total_after = _machine_busy()
    server.send("stats")
    stats: dict[str, Any] = json.loads(server.expect("stats"))
    if stats["errors"]:
        raise RuntimeError(f"{name}: broker calls failed: {stats['errors']}")
    dropped = 0
    for reader in readers:
        reader.send("report")
        dropped += sum(json.loads(reader.expect("report"))["closed"].values())
    return Step(
        process=name,
        clients=clients,
        ticks=len(stats["tick_ms"]),
        scans=stats["scans"],
        tick_p50=_pct(stats["tick_ms"], 0.5),
        tick_p99=_pct(stats["tick_ms"], 0.99),
        orders=len(stats["order_ms"]),
        order_p50=_pct(stats["order_ms"], 0.5),
        order_p99=_pct(stats["order_ms"], 0.99),
        scan_order_p99=_pct(stats["scan_order_ms"], 0.99),
        api_requests=len(latencies),
        api_p50=_pct(latencies, 0.5),
        api_p99=_pct(latencies, 0.99),
        api_errors=errors,
        cpu=cpu,
        machine_cpu=(busy_after - busy_before) / max(total_after - total_before, 1.0),
        dropped=dropped,
    )


def run(
    name: str, args: argparse.Namespace, env: dict[str, str], log: IO[str], counts: list[int]
) -> list[Step]:
    """Step the client count in one process until a step misses; return the steps."""
    command = [
        sys.executable,
        str(HERE / "tenant_density_server.py"),
        "ours" if name == "greekdesk" else "peer",
    ]
    server = Child([*command, "--tick-seconds", str(args.tick_seconds)], log, env)
    readers: list[Child] = []
    steps: list[Step] = []
    try:
        spec: dict[str, Any] = json.loads(server.expect("ready"))
        base = f"http://127.0.0.1:{spec['port']}" if "port" in spec else None
        streams: list[list[str]] = []
        for count in counts:
            if args.smoke:
                server.send("mark")
            server.send(f"add {count - (steps[-1].clients if steps else 0)}")
            added: list[list[str]] = json.loads(server.expect("added"))
            if base is not None:
                streams += added
                reader = Child([sys.executable, str(HERE / "ws_fanout_clients.py")], log)
                paths = [
                    f"/clients/{cid}/stream?token={token}"
                    for cid, token in added
                    for _ in range(args.viewers)
                ]
                reader.send(json.dumps({"base": base.replace("http", "ws"), "paths": paths}))
                reader.expect("ready")
                readers.append(reader)
            time.sleep(0 if args.smoke else SETTLE_SECONDS)
            step = _measure(name, count, server, args, base, streams, readers)
            steps.append(step)
            print(_row(step), flush=True)
            if not step.within_capacity() and not args.smoke:
                break
        return steps
    finally:
        for child in (*readers, server):
            child.stop()


def _row(s: Step) -> str:
    return (
        f"{s.process:<10} {s.clients:>7} {s.ticks:>6} {s.scans:>5} {s.tick_p50:>8.1f} {s.tick_p99:>8.1f} {s.orders:>6} "
        f"{s.order_p50:>9.1f} {s.order_p99:>9.1f} {s.scan_order_p99:>9.1f} {s.api_requests:>5} {s.api_p50:>7.1f} {s.api_p99:>7.1f} {s.api_errors:>4} "
        f"{s.cpu:>5.0%} {s.machine_cpu:>8.0%} {s.dropped:>7} {','.join(s.misses()) or 'PASS':>12}"
    )


HEADER = (
    f"{'process':<10} {'clients':>7} {'ticks':>6} {'scans':>5} {'tick p50':>8} {'tick p99':>8} {'orders':>6} "
    f"{'t2o p50':>9} {'t2o p99':>9} {'s2o p99':>9} {'api n':>5} {'api p50':>7} {'api p99':>7} {'err':>4} {'cpu':>5} {'machine':>8} "
    f"{'dropped':>7} {'missed':>12}"
)


def report(ours: list[Step], peer: list[Step], judged: bool) -> None:
    """Print the ratios against the peer and the verdict."""
    by_count = {s.clients: s for s in peer}
    for s in ours:
        p = by_count.get(s.clients)
        if p is not None:
            cpu = f"{s.cpu / p.cpu:.1f}x" if p.cpu >= 0.01 else "n/a (peer under 1%)"
            print(
                f"ratio {s.clients} clients: tick-to-order p99 ours/peer {s.order_p99 / p.order_p99:.1f}x  "
                f"tick p99 ours/peer {s.tick_p99 / p.tick_p99:.1f}x  cpu ours/peer {cpu}"
            )
    best = max((s.clients for s in ours if not s.misses()), default=0)
    capacity = max((s.clients for s in ours if s.within_capacity()), default=0)
    line = f"largest passing step: {best} clients (within API and CPU limits only: {capacity})"
    if judged:
        line += f"  >= {TARGET_CLIENTS} clients: {'PASS' if best >= TARGET_CLIENTS else 'MISS'}"
    print(line if judged else line + "  (smoke run: target not judged)")


def main() -> int:
    """Step both processes through the client counts and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="2 then 4 clients, seconds each")
    parser.add_argument("--steps", default="25,50,100,200,300")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured seconds per step")
    parser.add_argument("--tick-seconds", type=float, default=1.0, help="AGENT_TICK_SECONDS")
    parser.add_argument("--scan-interval", type=int, default=60, help="the agents' scan_interval_seconds")
    parser.add_argument("--api-rps", type=float, default=20.0)
    parser.add_argument("--viewers", type=int, default=2)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    args = parser.parse_args()
    if args.smoke:
        # Each window opens before its clients are added, so it holds their first scan and orders
        # (and the seeding's CPU: the smoke run judges nothing).
        args.steps, args.seconds, args.api_rps = "2,4", 3.0, 5.0
    counts = [int(c) for c in args.steps.split(",")]
    print(
        f"steps {counts}; {args.seconds:g} s measured per step; agent tick {args.tick_seconds:g} s; scan every "
        f"{args.scan_interval} s; {args.viewers} viewers per client; GET /positions at {args.api_rps:g}/s; "
        f"PostgreSQL + Redis; cores: {os.cpu_count()}; load average before: {os.getloadavg()[0]:.2f}"
    )
    print(HEADER, flush=True)
    db = create_database()
    try:
        with (
            tempfile.TemporaryDirectory(prefix="greekdesk-density-") as data_dir,
            (Path(data_dir) / "processes.log").open("w+") as log,
        ):
            env = app_environment(db, data_dir) | {
                "REDIS_URL": args.redis_url,
                "AGENT_ENABLED": "true",
                "AGENT_TICK_SECONDS": str(args.tick_seconds),
                "BENCH_SCAN_INTERVAL": str(args.scan_interval),
                "AUTONOMOUS_ENABLED": "true",
                "SIMULATOR_ALWAYS_OPEN": "true",
                "PASSWORD_HASH_TIME_COST": "2",
                "PASSWORD_HASH_MEMORY_KIB": str(19 * 1024),
            }
            try:
                ours = run("greekdesk", args, env, log, counts)
                peer = run("peer", args, env, log, [s.clients for s in ours])
            except Exception:
                log.flush()
                print(Path(log.name).read_text()[-3000:], file=sys.stderr)
                raise
        report(ours, peer, judged=not args.smoke)
    finally:
        drop_database(db)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
