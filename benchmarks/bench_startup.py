"""Process start-up of `tether` commands against `python -c "import pydantic"`, same run.

    python benchmarks/bench_startup.py            # 15 runs of each, medians
    python benchmarks/bench_startup.py --quick    # CI smoke: 3 runs

A terminal command should cost about what its work needs: `tether --help` and
`tether sessions list` import neither the providers (httpx), nor tree-sitter, nor every
protocol model. The budget (issue 13) is 2x a bare pydantic import on the same machine.
Runs are interleaved so that load on a shared machine hits every command alike. Figures
are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGET = 2.0


def commands(workspace: Path) -> dict[str, list[str]]:
    py = sys.executable
    return {
        "python -c pass": [py, "-c", "pass"],
        'python -c "import pydantic"': [py, "-c", "import pydantic"],
        # The floor of any command that reads a pydantic model: `import pydantic` is lazy,
        # the first model class loads pydantic-core and its schema machinery.
        "python: one pydantic model": [py, "-c", "import pydantic\nclass M(pydantic.BaseModel):"
                                       "\n    x: int = 0\nM(x=1)"],
        "tether --help": [py, "-m", "tether", "--help"],
        "tether sessions list": [py, "-m", "tether", "sessions", "list", "-w", str(workspace)],
        "tether search --help": [py, "-m", "tether", "search", "--help"],
        "python -c 'import tether.cli'": [py, "-c", "import tether.cli"],
    }


def measure(runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="tether-startup-") as tmp:
        workspace = Path(tmp) / "ws"
        workspace.mkdir()
        env = {**os.environ, "TETHER_DATA_DIR": str(Path(tmp) / "data"),
               "PYTHONPATH": str(ROOT / "server") + os.pathsep + os.environ.get("PYTHONPATH", "")}
        cmds = commands(workspace)
        times: dict[str, list[float]] = {name: [] for name in cmds}
        for _ in range(runs):
            for name, cmd in cmds.items():
                start = time.perf_counter()
                done = subprocess.run(cmd, env=env, capture_output=True, check=False)
                times[name].append(time.perf_counter() - start)
                if done.returncode != 0:
                    raise SystemExit(f"{name} failed: {done.stderr.decode(errors='replace')}")
        return {name: statistics.median(values) for name, values in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 runs each (CI smoke).")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    medians = measure(3 if args.quick else args.runs)
    base = medians['python -c "import pydantic"']
    print(f"{'command':32}  {'median':>9}  {'ratio to pydantic':>17}  budget")
    for name, seconds in medians.items():
        budgeted = name in ("tether --help", "tether sessions list")
        verdict = ("yes" if seconds <= BUDGET * base else "MISSED") if budgeted else ""
        print(f"{name:32}  {seconds * 1000:7.0f} ms  {seconds / base:16.2f}x  "
              f"{'<= 2x ' + verdict if budgeted else ''}".rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
