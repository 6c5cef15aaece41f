"""Benchmark GET positions (50 rows) and trades (100 rows) from PostgreSQL against a minimal FastAPI peer.

Run: python bench/api_load.py [--smoke] [--duration S] [--rounds R] [--connections N] [--workers W].
A fresh PostgreSQL database is migrated and seeded (bench/api_load_seed.py); Greekdesk
(`uvicorn backend.main:app`, APP_ENV=production) and the peer (bench/api_load_peer.py: typed
response models, asyncpg) run under uvicorn on separate ports with the same worker count, no reload,
access logs off. Both answers are checked to be the same JSON before any load. Each endpoint of each
app is warmed up, then loaded by wrk (64 connections, 2 threads) and its requests/s and p50/p99
latency printed with the ratio ours/peer. The apps take turns for `--rounds` rounds, each round's
ratio is taken against that round's peer, and the targets are judged on the median round (the
machine's speed drifts by more than the code's differences within minutes). `--smoke` runs seconds
of light load from a Python loop (no wrk needed) in one round so the test suite keeps the benchmark
working.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api_load_seed import (  # noqa: E402 (the path above makes the repository importable)
    POSITIONS,
    TRADES,
    Seeded,
    app_environment,
    create_database,
    drop_database,
    seed,
)

TARGET_RATIO, TARGET_RPS, TARGET_P99_MS = 1.0, 2500.0, 50.0
APPS = {"greekdesk": "backend.main:app", "peer": "bench.api_load_peer:app"}


@dataclass(frozen=True)
class Figures:
    """One load run of one endpoint of one app."""

    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(target: str, env: dict[str, str], workers: int, log: Path) -> Iterator[str]:
    """Run `target` under uvicorn (production-like flags, output to `log`) and yield its base URL."""
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers), "--no-access-log", "--log-level", "warning"]
    with log.open("a") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=out, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                tail = log.read_text()[-2000:]
                raise RuntimeError(f"{target} exited with {process.returncode} before answering:\n{tail}")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{target} did not answer within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        # The whole group: uvicorn's worker processes go with their supervisor.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


_WRK_LATENCY = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(url: str, token: str, seconds: float, connections: int) -> Figures:
    """Load `url` with wrk and read requests/s, p50 and p99 from its report."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    command += ["-H", f"Authorization: Bearer {token}", url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    latency = {m[0]: float(m[1]) * _UNIT_MS[m[2]] for m in _WRK_LATENCY.findall(out)}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if rps is None or set(latency) != {"50", "99"}:
        raise RuntimeError(f"unreadable wrk report:\n{out}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(non_2xx[1]) if non_2xx else 0
    errors += sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    return Figures(float(rps[1]), latency["50"], latency["99"], errors)


async def _python_load(url: str, token: str, seconds: float, connections: int) -> Figures:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(limits=limits, headers=headers, timeout=30) as client:

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.get(url)
                latencies.append((time.perf_counter() - started) * 1000)
                errors += response.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return Figures(len(latencies) / elapsed, cuts[49], cuts[98], errors)


def run_python(url: str, token: str, seconds: float, connections: int) -> Figures:
    """Load `url` from an asyncio loop of `connections` workers (the smoke mode's light load)."""
    return asyncio.run(_python_load(url, token, seconds, connections))


def _login(base: str, seeded: Seeded) -> str:
    response = httpx.post(f"{base}/auth/login", json={"username": seeded.email, "password": seeded.password})
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def _difference(ours: dict[str, Any], peer: dict[str, Any]) -> dict[str, Any]:
    """Return the fields of the first differing row (or of the page) as {field: (ours, peer)}."""
    pairs = [(a, b) for a, b in zip(ours["items"], peer["items"], strict=False) if a != b]
    mine, theirs = pairs[0] if pairs else (ours, peer)
    return {
        k: (mine.get(k), theirs.get(k)) for k in mine.keys() | theirs.keys() if mine.get(k) != theirs.get(k)
    }


def _same_answers(bases: dict[str, str], paths: dict[str, str], token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    for endpoint, path in paths.items():
        ours, peer = (httpx.get(base + path, headers=headers).json() for base in bases.values())
        if ours != peer:
            diff = _difference(ours, peer)
            raise RuntimeError(f"{endpoint}: the apps answer differently, {{field: (ours, peer)}}: {diff}")
        expected = POSITIONS if endpoint == "positions" else TRADES
        if len(ours["items"]) != expected:
            raise RuntimeError(f"{endpoint}: expected {expected} rows, got {len(ours['items'])}")


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _median_round(figures: list[Figures], peers: list[Figures]) -> tuple[Figures, float]:
    """Return the round whose ratio ours/peer is the median, and that ratio."""
    ratios = sorted((f.rps / p.rps, i) for i, (f, p) in enumerate(zip(figures, peers, strict=True)))
    ratio, index = ratios[(len(ratios) - 1) // 2]
    return figures[index], ratio


def report(results: dict[str, dict[str, list[Figures]]], judged: bool) -> None:
    """Print each round's figures, the ratios ours/peer and the targets judged on the median round."""
    print(f"{'app':<10} {'endpoint':<10} {'round':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for endpoint, by_app in results.items():
        for app, rounds in by_app.items():
            for number, f in enumerate(rounds, 1):
                print(
                    f"{app:<10} {endpoint:<10} {number:>5} {f.rps:>9.0f} {f.p50_ms:>8.2f} {f.p99_ms:>8.2f}"
                    f" {f.errors:>7}"
                )
    for endpoint, by_app in results.items():
        ours, peers = by_app["greekdesk"], by_app["peer"]
        by_round = "  ".join(f"{f.rps / p.rps:.2f}x" for f, p in zip(ours, peers, strict=True))
        median, ratio = _median_round(ours, peers)
        line = f"ratio {endpoint:<10} ours/peer by round {by_round}  median {ratio:.2f}x"
        if judged:
            line += (
                f"  ratio>={TARGET_RATIO}: {_verdict(ratio >= TARGET_RATIO)}"
                f"  >= {TARGET_RPS:.0f} req/s: {_verdict(median.rps >= TARGET_RPS)}"
                f"  p99 < {TARGET_P99_MS:.0f} ms: {_verdict(median.p99_ms < TARGET_P99_MS)}"
            )
        print(line)
    if not judged:
        print("smoke run: targets not judged")


def main() -> int:
    """Seed, serve both apps, load each endpoint of each, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="seconds of light load from Python, no wrk")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of measured load per run")
    parser.add_argument("--rounds", type=int, default=3, help="turns of both apps; judged on the median")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load before each measure")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers, the same for both apps")
    args = parser.parse_args()
    if args.smoke:
        args.duration, args.warmup, args.connections, args.workers, args.rounds = 1.5, 0.5, 4, 1, 1
    elif shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk (make bench does)", file=sys.stderr)
        return 2
    load = run_python if args.smoke else run_wrk

    db = create_database()
    try:
        with tempfile.TemporaryDirectory(prefix="greekdesk-bench-") as data_dir:
            env = app_environment(db, data_dir)
            seeded = seed(env)
            paths = {
                "positions": f"/clients/{seeded.client_id}/positions?limit={POSITIONS}",
                "trades": f"/clients/{seeded.client_id}/trades?limit={TRADES}",
            }
            logs = Path(data_dir) / "servers.log"
            # Both at once only to check they answer the same; the load runs one app at a time, so the
            # idle one holds no database connections (PostgreSQL's default max_connections is 100).
            with serve(APPS["greekdesk"], env, 1, logs) as ours, serve(APPS["peer"], env, 1, logs) as peer:
                token = _login(ours, seeded)
                _same_answers({"greekdesk": ours, "peer": peer}, paths, token)
            print(
                f"{POSITIONS} positions, {TRADES} trades; {args.connections} connections, "
                f"{args.workers} worker(s) each, {args.duration:g} s per run, {args.rounds} round(s) "
                f"({'python loop' if args.smoke else 'wrk'}); cores: {os.cpu_count()}; "
                f"load average before: {os.getloadavg()[0]:.2f}"
            )
            results: dict[str, dict[str, list[Figures]]] = {
                endpoint: {app: [] for app in APPS} for endpoint in paths
            }
            for _ in range(args.rounds):
                for app, target in APPS.items():
                    with serve(target, env, args.workers, logs) as base:
                        for endpoint, path in paths.items():
                            load(base + path, token, args.warmup, args.connections)
                            figures = load(base + path, token, args.duration, args.connections)
                            results[endpoint][app].append(figures)
            failures = sum(
                f.errors for by_app in results.values() for rounds in by_app.values() for f in rounds
            )
            if failures:
                print(f"{failures} failed requests; the servers' last log lines:", file=sys.stderr)
                print("\n".join(logs.read_text().splitlines()[-5:])[-3000:], file=sys.stderr)
        report(results, judged=not args.smoke)
    finally:
        drop_database(db)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
