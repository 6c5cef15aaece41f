"""Benchmark the event stream's fan-out against a plain `websockets.broadcast()` server.

Run: python bench/ws_fanout.py [--smoke] [--sockets 1000] [--clients 100] [--rates 2000,5000,10000,20000]
[--seconds 5] [--reader-processes 1] [--redis-url URL] [--rounds 3].
Each server (bench/ws_fanout_servers.py) runs in its own process and publishes 300-byte quote
events in-process at stepped rates; the readers (bench/ws_fanout_clients.py, separate processes)
hold the sockets, `sockets / clients` per client (topic), so each event becomes that many frames.
Per step: frames/s delivered, p50/p99 event-to-socket latency (the frame's `ts`, stamped when the
event is published, against the reader's receive time; one machine, one clock), and the server
process's CPU time (its threads' run time from /proc, the server process only) per delivered frame.
Servers: `peer`, `ours-memory` (in-process bus) and `ours-redis` (Redis bus, when Redis answers;
Redis's own CPU is not counted). The servers take turns, `--rounds` times; the targets are judged
on the median round of each figure (CPU ratio, p99), with no socket dropped in any round.
`--smoke` runs a few sockets for a second per step, one round.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
TARGET_CPU_RATIO, TARGET_P99_MS, TARGET_RATE = 1.2, 50.0, 20_000
SETTLE_SECONDS = 0.5
_TICKS = os.sysconf("SC_CLK_TCK")
_SCHEDSTAT = Path("/proc/self/schedstat").exists()
"""Whether the kernel keeps per-thread run time in ns (CONFIG_SCHED_INFO): the CPU figures use it then."""


@dataclass(frozen=True)
class Step:
    """One rate step of one server."""

    server: str
    round: int
    target: int
    frames: int
    expected: int
    seconds: float
    p50_ms: float
    p99_ms: float
    cpu_seconds: float
    dropped: int

    @property
    def rate(self) -> float:
        """Frames delivered per second."""
        return self.frames / self.seconds

    @property
    def cpu_us_per_frame(self) -> float:
        """Server CPU microseconds per delivered frame."""
        return self.cpu_seconds / max(self.frames, 1) * 1e6


class Child:
    """A process spoken to by lines on stdin and `BENCH ...` lines on stdout."""

    def __init__(self, command: list[str], log: IO[str], env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env=None if env is None else {**os.environ, **env},
        )

    def send(self, line: str) -> None:
        """Write one command line."""
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def expect(self, word: str) -> str:
        """Return the rest of the next `BENCH word ...` line."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith(f"BENCH {word}"):
                return line[len(f"BENCH {word}") :].strip()
        raise RuntimeError(f"{self.process.args!r} exited ({self.process.wait()}) before `{word}`")

    def stop(self) -> None:
        """Close stdin (the children exit on it), then make sure."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def cpu_seconds(pid: int) -> float:
    """Return the process's CPU time so far: its threads' run time in ns where the kernel keeps it."""
    if not _SCHEDSTAT:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    # utime + stime count 10 ms ticks: a short step of a light server can read 0. schedstat's first
    # field is each thread's time on a CPU in ns (a thread that ended takes its time with it: the
    # servers' threads live as long as they do).
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except FileNotFoundError:
            continue  # the thread ended while we read
    return total / 1e9


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def run_server(name: str, round_: int, args: argparse.Namespace, log: IO[str]) -> list[Step]:
    """Start one server and its readers, run every rate step, and return the steps."""
    per_client = args.sockets // args.clients
    command = [sys.executable, str(HERE / "ws_fanout_servers.py"), "peer" if name == "peer" else "ours"]
    command += ["--clients", str(args.clients), "--sockets-per-client", str(per_client)]
    if name == "ours-redis":
        command += ["--redis-url", args.redis_url]
    server = Child(command, log)
    readers: list[Child] = []
    try:
        spec = json.loads(server.expect("ready"))
        paths: list[str] = spec["paths"]
        for i in range(args.reader_processes):
            reader = Child([sys.executable, str(HERE / "ws_fanout_clients.py")], log)
            reader.send(
                json.dumps(
                    {"base": f"ws://127.0.0.1:{spec['port']}", "paths": paths[i :: args.reader_processes]}
                )
            )
            readers.append(reader)
        for reader in readers:
            reader.expect("ready")
        server.send(f"run {args.rates[0] / per_client} 1")  # warm-up, not measured
        server.expect("done")
        return [_step(name, round_, rate, server, readers, per_client, args.seconds) for rate in args.rates]
    finally:
        for child in (*readers, server):
            child.stop()


def _step(
    name: str, round_: int, rate: int, server: Child, readers: list[Child], per_client: int, seconds: float
) -> Step:
    time.sleep(SETTLE_SECONDS)
    for reader in readers:
        reader.send("mark")
    before, started = cpu_seconds(server.process.pid), time.monotonic()
    server.send(f"run {rate / per_client} {seconds}")
    published = int(server.expect("done"))
    # A server that fell behind takes longer than `seconds` to hand its events on: rates use that.
    seconds = max(seconds, time.monotonic() - started)
    time.sleep(SETTLE_SECONDS)  # the last frames reach the readers
    spent = cpu_seconds(server.process.pid) - before
    latencies: list[float] = []
    dropped = 0
    for reader in readers:
        reader.send("report")
        report: dict[str, Any] = json.loads(reader.expect("report"))
        latencies += report["latencies_ms"]
        dropped += sum(report["closed"].values())
    latencies.sort()
    return Step(
        server=name,
        round=round_,
        target=rate,
        frames=len(latencies),
        expected=published * per_client,
        seconds=seconds,
        p50_ms=_percentile(latencies, 0.50),
        p99_ms=_percentile(latencies, 0.99),
        cpu_seconds=spent,
        dropped=dropped,
    )


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(steps: list[Step], judged: bool) -> None:
    """Print every step, each round's ratios against its peer, and the targets on the median round."""
    print(
        f"{'server':<12} {'round':>5} {'target/s':>9} {'frames/s':>9} {'delivered':>9} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'cpu us/frame':>12} {'cpu %':>6} {'dropped':>7}"
    )
    for s in steps:
        print(
            f"{s.server:<12} {s.round + 1:>5} {s.target:>9} {s.rate:>9.0f} {s.frames / max(s.expected, 1):>9.1%} "
            f"{s.p50_ms:>8.2f} {s.p99_ms:>8.2f} {s.cpu_us_per_frame:>12.2f} "
            f"{s.cpu_seconds / (s.seconds + SETTLE_SECONDS):>6.0%} {s.dropped:>7}"
        )
    peer = {(s.round, s.target): s for s in steps if s.server == "peer"}
    ratios: dict[tuple[str, int], list[float]] = {}
    for s in steps:
        p = peer.get((s.round, s.target))
        if s.server == "peer" or p is None:
            continue
        cpu_ratio = _ratio(s.cpu_us_per_frame, p.cpu_us_per_frame)
        ratios.setdefault((s.server, s.target), []).append(cpu_ratio)
        print(
            f"ratio {s.server} round {s.round + 1} {s.target} cpu/frame ours/peer {cpu_ratio:.2f}x  "
            f"p99 ours/peer {_ratio(s.p99_ms, p.p99_ms):.2f}x  frames/s ours/peer {_ratio(s.rate, p.rate):.2f}x"
        )
    # The machine's noise moves one round's CPU ratio by a few tenths and now and then stalls every
    # server (the peer's p99 too) for tens of ms: the verdict takes the median round of each figure.
    for (server, target), values in ratios.items():
        cpu_ratio = statistics.median(values)
        ours = [s for s in steps if s.server == server and s.target == target]
        p99 = statistics.median(s.p99_ms for s in ours)
        dropped = sum(s.dropped for s in ours)
        line = (
            f"median {server} {target} cpu/frame ours/peer {cpu_ratio:.3f}x  p99 {p99:.2f} ms "
            f"(worst {max(s.p99_ms for s in ours):.2f})  over {len(values)} round(s)"
        )
        if judged and target == TARGET_RATE:
            line += (
                f"  cpu/frame <= {TARGET_CPU_RATIO}x peer: {_verdict(cpu_ratio <= TARGET_CPU_RATIO)}"
                f"  p99 < {TARGET_P99_MS:.0f} ms: {_verdict(p99 < TARGET_P99_MS and dropped == 0)}"
            )
        print(line)
    if not judged:
        print("smoke run: targets not judged")


def _ratio(ours: float, peer: float) -> float:
    # A smoke step can be too short for the peer to use one clock tick of CPU time (/proc counts
    # 10 ms ticks): there is no ratio then, rather than a division by zero.
    return ours / peer if peer > 0 else math.nan


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def main() -> int:
    """Run the peer and our servers through the rate steps and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="a few sockets, a second per step")
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=100, help="topics; sockets are spread evenly")
    parser.add_argument(
        "--rates", default="2000,5000,10000,20000", help="frames/s delivered, comma-separated"
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per step")
    parser.add_argument("--reader-processes", type=int, default=1)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--servers", help="default: peer,ours-memory,ours-redis (smoke: peer,ours-memory)")
    parser.add_argument("--rounds", type=int, default=3, help="each server this many times, interleaved")
    args = parser.parse_args()
    if args.smoke:
        args.sockets, args.clients, args.rates, args.seconds = 6, 2, "300,600", 1.0
        args.servers, args.rounds = args.servers or "peer,ours-memory", 1
    args.rates = [int(r) for r in args.rates.split(",")]
    servers = (args.servers or "peer,ours-memory,ours-redis").split(",")
    if "ours-redis" in servers and not _redis_answers(args.redis_url):
        print(f"Redis does not answer at {args.redis_url}: ours-redis skipped", file=sys.stderr)
        servers.remove("ours-redis")
    print(
        f"{args.sockets} sockets over {args.clients} clients ({args.sockets // args.clients} each), "
        f"{args.reader_processes} reader process(es), {args.seconds:g} s per step, {args.rounds} round(s); cores: {os.cpu_count()}; "
        f"load average before: {os.getloadavg()[0]:.2f}"
    )
    with tempfile.NamedTemporaryFile("w+", prefix="ws-fanout-", suffix=".log", delete=False) as log:
        try:
            steps = [
                step
                for round_ in range(args.rounds)
                for name in servers
                for step in run_server(name, round_, args, log)
            ]
        except Exception:
            log.flush()
            print(Path(log.name).read_text()[-3000:], file=sys.stderr)
            raise
    report(steps, judged=not args.smoke)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
