"""The API load benchmark runs in smoke mode against its peer and prints its figures."""

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench" / "api_load.py"


@pytest.mark.postgres
def test_bench_smoke_run_exits_zero_and_prints_both_apps_figures() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--smoke"], capture_output=True, text=True, timeout=240, check=False
    )
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines() if line.startswith(("greekdesk ", "peer "))]
    assert {(row[0], row[1]) for row in rows} == {
        (app, endpoint) for app in ("greekdesk", "peer") for endpoint in ("positions", "trades")
    }
    assert all(float(row[3]) > 0 and int(row[6]) == 0 for row in rows), done.stdout
    assert "ratio positions" in done.stdout
