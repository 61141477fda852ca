"""The derivation benchmark runs and reports both cases beside its baselines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_derive.py"


def test_bench_derive_runs(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--runs", "1"], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "10,000-message session" in done.stdout and "50-step turn" in done.stdout
    assert "old derivation" in done.stdout and "list copy" in done.stdout
