"""The stream fan-out benchmark runs in smoke mode against its peer and prints both servers' figures."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench" / "ws_fanout.py"


def _smoke(*extra: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--smoke", *extra],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _assert_every_frame_arrived(stdout: str, servers: tuple[str, ...]) -> None:
    # Columns: server, round, target/s, frames/s, delivered, p50, p99, cpu us/frame, cpu %, dropped.
    rows = [line.split() for line in stdout.splitlines() if line.startswith(tuple(f"{s} " for s in servers))]
    assert {(row[0], row[2]) for row in rows} == {
        (server, rate) for server in servers for rate in ("300", "600")
    }, stdout
    # Every published frame reached every socket, none was dropped, and the CPU was measured.
    assert all(row[4] == "100.0%" and row[9] == "0" and float(row[7]) > 0 for row in rows), stdout


def test_bench_smoke_run_delivers_every_frame_from_both_servers_and_prints_ratios() -> None:
    stdout = _smoke()
    _assert_every_frame_arrived(stdout, ("peer", "ours-memory"))
    assert "ratio ours-memory round 1 600 cpu/frame ours/peer" in stdout
    assert "median ours-memory 600 cpu/frame ours/peer" in stdout


@pytest.mark.redis
def test_bench_smoke_run_with_the_redis_bus_delivers_every_frame() -> None:
    stdout = _smoke("--servers", "peer,ours-redis", "--redis-url", os.environ["TEST_REDIS_URL"])
    _assert_every_frame_arrived(stdout, ("peer", "ours-redis"))
    assert "median ours-redis 600 cpu/frame ours/peer" in stdout
