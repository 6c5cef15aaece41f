"""The order-path benchmark runs in smoke mode and prints its figures."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "bench" / "order_path.py"


def test_bench_smoke_run_exits_zero_and_prints_our_figures() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--smoke"], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines() if line.startswith("greekdesk ")]
    assert rows
    assert float(rows[0][2]) > 0
