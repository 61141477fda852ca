"""The generated protocol files match the models (fails on drift: rerun the generator)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tether.protocol.generate import default_root, drifted, main


def test_generated_files_are_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--check"])
    err = capsys.readouterr().err
    assert code == 0, f"generated protocol files drifted from the models:\n{err}"
    assert drifted(default_root()) == []


def test_check_mode_runs_as_a_module() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tether.protocol.generate", "--check"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
