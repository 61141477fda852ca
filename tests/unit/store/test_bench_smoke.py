"""The store benchmark still runs (small sizes); its figures are read by people, not asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_store.py"


def test_bench_store_quick_runs_and_prints_the_table(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["operation", "ours", "(ms)", "baseline", "(ms)", "ratio", "goal"]
    operations = "\n".join(lines[1:])
    for name in ("append", "list", "tail-load"):
        assert name in operations
