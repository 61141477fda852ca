"""The VS Code client's own checks, run from pytest so CI sees them: the unit tests of
the webview state logic, diff revert, markdown and server start-up helpers (`npm test`),
and the strict type check against the generated protocol types (`npm run typecheck`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CLIENT = Path(__file__).resolve().parents[2] / "vscode-client"


def _npm(*args: str) -> subprocess.CompletedProcess[str]:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed (node 20 + npm are needed for the VS Code client)")
    if not (CLIENT / "node_modules").is_dir():
        pytest.fail("vscode-client/node_modules is missing: run `bash .ci/install-vscode.sh`")
    # test/remote.test.ts starts a real `tether serve`: with this Python, this tree
    env = {**os.environ, "TETHER_PYTHON": sys.executable}
    return subprocess.run(
        [npm, *args], cwd=CLIENT, capture_output=True, text=True, timeout=300, check=False,
        env=env,
    )


def test_unit_tests_pass() -> None:
    result = _npm("test")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout


def test_typecheck_against_generated_protocol() -> None:
    result = _npm("run", "typecheck")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
