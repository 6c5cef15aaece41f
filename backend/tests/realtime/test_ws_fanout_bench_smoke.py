"""The stream fan-out benchmark runs in smoke mode against its peer and prints both servers' figures."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "bench" / "ws_fanout.py"


def test_bench_smoke_run_delivers_every_frame_from_both_servers_and_prints_ratios() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--smoke"], capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines() if line.startswith(("peer ", "ours-memory "))]
    assert {(row[0], row[1]) for row in rows} == {
        (server, rate) for server in ("peer", "ours-memory") for rate in ("300", "600")
    }, done.stdout
    # Every published frame reached every socket, none was dropped, and the CPU was measured.
    assert all(row[3] == "100.0%" and row[8] == "0" and float(row[6]) > 0 for row in rows), done.stdout
    assert "ratio ours-memory 600 cpu/frame ours/peer" in done.stdout
