"""`tether acp` sits beside the LSP layer on the same engine: it never loads pygls."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import tether


def test_the_acp_agent_does_not_load_pygls() -> None:
    code = ("import sys, tether.cli, tether.acp.agent, tether.acp.cli, tether.acp.folders;"
            "tether.cli.build_parser();"
            "print(sorted(m for m in ('pygls', 'lsprotocol') if m in sys.modules))")
    server = str(Path(tether.__file__).parent.parent)
    env = {**os.environ, "PYTHONPATH": server}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=60, check=True)
    assert done.stdout.strip() == "[]"
