"""`benchmarks/bench_retrieval.py --quick` runs end to end on a real corpus (figures are
printed, never asserted); skipped where the corpora are not checked out beside the repo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BENCH = ROOT / "benchmarks" / "bench_retrieval.py"
CORPORA = ROOT.parent / "shared" / "corpora"


@pytest.mark.slow
@pytest.mark.skipif(not (CORPORA / "click.bundle").is_file(), reason=f"no corpora at {CORPORA}")
def test_bench_retrieval_quick(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    env = {**os.environ, "TETHER_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--json", str(out)],
        capture_output=True, text=True, timeout=300, env=env, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    header = next(line for line in done.stdout.splitlines() if line.startswith("group"))
    assert header.split()[:4] == ["group", "split", "n", "r@1"]
    figures = json.loads(out.read_text())
    # Both splits ran, and the baseline ran on the same commits.
    assert figures["click/tune"]["n"] == 2 and figures["click/held"]["n"] == 2
    assert set(figures["overall/all"]["bm25"]) == {"r@1", "r@5", "r@10", "mrr"}
    assert figures["latency"]["tether_p50_ms"] > 0
