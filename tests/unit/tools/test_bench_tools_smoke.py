"""The tools benchmark runs in its quick mode and reports both figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_tools.py"


def test_bench_tools_quick_runs(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--quick"], capture_output=True,
                          text=True, timeout=180, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "grep over 300 files" in done.stdout
    assert "tether grep" in done.stdout and "(3 matches)" in done.stdout
    assert "cancel during grep '(a|aa)+$'" in done.stdout
    assert "peak RSS, read_file/edit/write_file/grep/attachment on a sparse 1 GiB" in done.stdout
