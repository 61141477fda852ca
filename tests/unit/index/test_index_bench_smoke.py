"""The index benchmark runs end to end on a small generated tree (no timing asserts)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_index.py"


def test_bench_index_quick(tmp_path: Path) -> None:
    env = {**os.environ, "TETHER_DATA_DIR": str(tmp_path / "data")}
    out = subprocess.run(
        [sys.executable, str(BENCH), "--quick"],
        capture_output=True, text=True, timeout=300, env=env, check=False,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("tree: ") and "files: 120" in lines[0]
    measures = {line.split("  ")[0] for line in lines[4:]}
    for name in ("cold: search usable", "cold index (full build)", "warm start (build)",
                 "one-file re-index p95", "search p95", "file search p50 (task query)",
                 "peak RSS main (cold)", "repo-map p50 / max"):
        assert name in measures
