"""Keys out of the server's environment: every entry point re-executes itself without them.

Each test starts a real process the way an editor or a user does, with the keys in its
environment, waits until it answers (so the re-exec is over), then reads the process's
own `/proc/<pid>/environ` — what `tr '\\0' '\\n' < /proc/$PPID/environ` shows a command —
and checks the keys are gone while stdio, the exit code and the keys' use still work.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from tether.testing.provider_server import Script, ScriptedProviderServer, text_turn, tool_turn

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")

KEY = "kq" + uuid.uuid4().hex + "Zx9"
TOKEN = "tk" + uuid.uuid4().hex + "Wm3"
SHOW_ENV = "tr '\\0' '\\n' < /proc/$PPID/environ; echo; env"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OPENAI_", "ANTHROPIC_", "TETHER_", "OLLAMA_"))}
    env.update(TETHER_DATA_DIR=str(tmp_path / "data"),
               TETHER_CONFIG=str(tmp_path / "no-config.toml"),
               OPENAI_API_KEY=KEY, TETHER_TOKEN=TOKEN, **extra)
    return env


def _frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def _read_message(stream: Any) -> dict[str, Any]:
    length = 0
    while (line := stream.readline()) not in (b"\r\n", b""):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    data: dict[str, Any] = json.loads(stream.read(length))
    return data


def _initialize_then_environ(command: list[str], env: dict[str, str]) -> tuple[bytes, int]:
    """Start an LSP server over stdio, initialize it, read its environ, shut it down."""
    with subprocess.Popen(command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL) as proc:
        return _talk(proc)


def _talk(proc: subprocess.Popen[bytes]) -> tuple[bytes, int]:
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(_frame({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                                 "params": {"processId": None, "rootUri": None,
                                            "capabilities": {}}}))
        proc.stdin.flush()
        while True:  # notifications (logMessage) may come first
            answer = _read_message(proc.stdout)
            if answer.get("id") == 1:
                break
        assert "capabilities" in answer["result"]
        environ = Path(f"/proc/{proc.pid}/environ").read_bytes()
        for message in ({"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
                        {"jsonrpc": "2.0", "method": "exit"}):
            proc.stdin.write(_frame(message))
        proc.stdin.flush()
        return environ, proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _console_script(tmp_path: Path) -> Path:
    """What pip writes for `tether = "tether.__main__:main"`."""
    script = tmp_path / "tether"
    script.write_text("import sys\nfrom tether.__main__ import main\nsys.exit(main())\n")
    return script


@pytest.mark.parametrize("entry", ["python -m tether serve", "python -m tether.lsp",
                                   "tether serve"])
def test_servers_drop_the_keys_from_their_environ(entry: str, tmp_path: Path) -> None:
    command = {
        "python -m tether serve": [sys.executable, "-m", "tether", "serve"],
        "python -m tether.lsp": [sys.executable, "-m", "tether.lsp"],
        "tether serve": [sys.executable, str(_console_script(tmp_path)), "serve"],
    }[entry]
    environ, code = _initialize_then_environ(command, _env(tmp_path))
    assert code == 0
    names = {item.split(b"=", 1)[0] for item in environ.split(b"\0") if item}
    assert b"TETHER_SECRETS_FD" in names  # it did re-execute (the same pid) …
    assert b"TETHER_DATA_DIR" in names  # … keeping the rest of the environment
    assert KEY.encode() not in environ and TOKEN.encode() not in environ
    assert b"OPENAI_API_KEY" not in names and b"TETHER_TOKEN" not in names


def test_chat_uses_the_key_but_its_commands_cannot_read_it(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    script = Script([tool_turn("run_command", {"command": SHOW_ENV}), text_turn("done")])
    with ScriptedProviderServer(script, api_key=KEY) as srv:  # only the right key works
        env = _env(tmp_path, TETHER_PROVIDER="openai", OPENAI_BASE_URL=srv.openai_base_url,
                   TETHER_MODEL="scripted")
        run = subprocess.run(
            [sys.executable, "-m", "tether", "chat", "--yes", "--json", "-w", str(workspace),
             "show me the environment"],
            env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stderr
    events = [json.loads(line) for line in run.stdout.splitlines()]
    outputs = [e["output"] for e in events if e["type"] == "tool_call_completed"]
    assert outputs and "TETHER_DATA_DIR=" in outputs[0]  # both environments were printed
    for text in (run.stdout, run.stderr):
        assert KEY not in text and TOKEN not in text


def test_exit_codes_and_stdout_survive_the_reexec(tmp_path: Path) -> None:
    env = _env(tmp_path)
    version = subprocess.run([sys.executable, "-m", "tether", "--version"], env=env,
                             capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.count("tether ") == 1  # no loop
    empty = subprocess.run([sys.executable, "-m", "tether", "chat", "-w", str(tmp_path), " "],
                           env=env, capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL)
    assert empty.returncode == 2 and "prompt is empty" in empty.stderr
    piped = subprocess.run([sys.executable, "-m", "tether", "chat", "-w", str(tmp_path), "-"],
                           env=env, capture_output=True, text=True, timeout=60, input="  \n")
    assert piped.returncode == 2  # stdin still reached the re-executed process


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux only")
def test_the_server_process_is_not_dumpable(tmp_path: Path) -> None:
    """Non-dumpable: other processes of the same user cannot read its environ or memory
    (root still can, which is why the keys also leave the environment)."""
    probe = ("from tether.secret_env import isolate, getenv; isolate(); import ctypes; "
             "print(ctypes.CDLL(None).prctl(3, 0, 0, 0, 0), getenv('OPENAI_API_KEY') is not None)")
    run = subprocess.run([sys.executable, "-c", probe], env=_env(tmp_path),
                         capture_output=True, text=True, timeout=60)
    assert run.stdout.split() == ["0", "True"], run.stderr  # PR_GET_DUMPABLE = 0, key kept
