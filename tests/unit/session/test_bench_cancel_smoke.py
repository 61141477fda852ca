"""The cancel benchmark runs, and no cancelled command's child outlives its turn."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_cancel.py"


@pytest.mark.skipif(shutil.which("pgrep") is None, reason="needs pgrep (procps)")
def test_bench_cancel_runs_and_leaves_no_children(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--runs", "1"], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "mid-tool turn" in done.stdout
    assert "child processes left running: 0" in done.stdout
