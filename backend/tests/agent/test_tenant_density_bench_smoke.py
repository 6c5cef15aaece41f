"""The tenant-density benchmark runs in smoke mode: agent loops order, viewers stay, the API answers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench" / "tenant_density.py"


@pytest.mark.postgres
def test_bench_smoke_run_measures_orders_api_reads_and_the_peer() -> None:
    command = [sys.executable, str(BENCH), "--smoke"]
    if redis_url := os.environ.get("TEST_REDIS_URL"):
        command += ["--redis-url", redis_url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr
    rows = {
        (row[0], row[1]): row
        for row in (line.split() for line in done.stdout.splitlines())
        if row and row[0] in ("greekdesk", "peer")
    }
    assert set(rows) == {(p, n) for p in ("greekdesk", "peer") for n in ("2", "4")}, done.stdout
    # Columns: process clients ticks scans tick-p50 tick-p99 orders t2o-p50 t2o-p99 s2o-p99 api-n api-p50 api-p99 err ...
    ours = [rows["greekdesk", n] for n in ("2", "4")]
    assert all(int(row[6]) > 0 and 0 < float(row[7]) <= float(row[8]) for row in ours), (
        done.stdout
    )  # orders timed
    assert all(float(row[9]) > 0 for row in ours), done.stdout  # and traced back to their scan's analysis
    assert all(int(row[10]) > 0 and row[13] == "0" for row in ours), done.stdout  # API reads, no errors
    assert all(row[14].endswith("%") and row[16] == "0" for row in ours), done.stdout  # no viewer dropped
    assert all(int(rows["peer", n][6]) > 0 for n in ("2", "4")), done.stdout
    assert "largest passing step:" in done.stdout
