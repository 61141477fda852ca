"""The redaction benchmark still runs (a small corpus); its figures are read by people."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_redaction.py"


def test_bench_redaction_runs_and_prints_each_part(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(BENCH), "--max-mb", "0.3"],
                            capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for heading in ("(a) masked spans", "(b) redact()", "feed  1-char deltas"):
        assert heading in result.stdout
