"""The change-set benchmark runs in its quick mode and reports both figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_changes.py"


def test_bench_changes_quick_runs(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--quick"], capture_output=True,
                          text=True, timeout=180, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rewind of a turn touching 10 files (4 open)" in done.stdout
    assert "plain write" in done.stdout and "write + fsync" in done.stdout
    assert "blob bytes per turn" in done.stdout
