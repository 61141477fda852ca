"""`benchmarks/bench_startup.py --quick` runs and prints its table (figures not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_startup.py"


def test_bench_startup_quick(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--quick"], capture_output=True,
                          text=True, timeout=300, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr
    rows = {line.split("  ")[0].strip() for line in done.stdout.splitlines()[1:]}
    assert {"tether --help", "tether sessions list", 'python -c "import pydantic"'} <= rows


def test_help_and_session_listing_import_no_provider_or_parser() -> None:
    """What makes them cheap: neither httpx (providers) nor tree-sitter is imported."""
    code = ("import sys, tether.cli; tether.cli.build_parser(); "
            "print(sorted(m for m in ('httpx', 'tree_sitter', 'tether.session.manager', "
            "'tether.protocol.methods') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
