"""`CI=true` turns a missing editor into a failure (tests/editors/conftest.py), as the CI
run of a fresh clone needs: run an editor test with no nvim on PATH, once as a developer
(skips) and once as CI (fails, saying what to install)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _run_without_nvim(ci: str | None, empty: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PATH"] = str(empty)  # nothing on PATH: no nvim (pytest runs by absolute path)
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/editors/test_nvim_plain_lsp.py"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


def test_missing_editor_skips_for_a_developer_and_fails_in_ci(tmp_path: Path) -> None:
    dev = _run_without_nvim(None, tmp_path)
    assert dev.returncode == 0 and "1 skipped" in dev.stdout, dev.stdout + dev.stderr
    ci = _run_without_nvim("true", tmp_path)
    assert ci.returncode == 1, ci.stdout + ci.stderr
    assert "1 failed" in ci.stdout, ci.stdout
    assert "a missing editor is a failure" in ci.stdout, ci.stdout
    assert "nvim is not on PATH" in ci.stdout, ci.stdout
