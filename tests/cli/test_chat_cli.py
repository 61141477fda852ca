"""`tether chat` and `tether sessions` as a user runs them: a real process, real HTTP to
the local scripted provider server, real files, in both wire formats."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tether.testing.provider_server import Script, ScriptedProviderServer, text_turn, tool_turn

REPO = Path(__file__).resolve().parents[2]
EDIT = {"path": "hello.py", "old": "def greet(name):\n",
        "new": "def greet(name):\n    \"\"\"Return a greeting for name.\"\"\"\n"}


@pytest.fixture
def server() -> Iterator[ScriptedProviderServer]:
    with ScriptedProviderServer() as srv:
        yield srv


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "hello.py").write_text('def greet(name):\n    return f"Hello, {name}!"\n')
    return root


def run_tether(args: list[str], *, env: dict[str, str], timeout: float = 60,
               stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tether", *args], env=env, text=True,
                          capture_output=True, timeout=timeout, input=stdin,
                          stdin=None if stdin is not None else subprocess.DEVNULL)


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OPENAI_", "ANTHROPIC_", "TETHER_", "OLLAMA_"))}
    env.update(TETHER_DATA_DIR=str(tmp_path / "data"),
               TETHER_CONFIG=str(tmp_path / "no-config.toml"), **extra)
    return env


def provider_env(tmp_path: Path, srv: ScriptedProviderServer, wire: str) -> dict[str, str]:
    if wire == "openai":
        return base_env(tmp_path, TETHER_PROVIDER="openai", OPENAI_BASE_URL=srv.openai_base_url,
                        OPENAI_API_KEY="sk-test-secret", TETHER_MODEL="scripted")
    return base_env(tmp_path, TETHER_PROVIDER="anthropic",
                    ANTHROPIC_BASE_URL=srv.anthropic_base_url,
                    ANTHROPIC_API_KEY="sk-ant-test-secret", TETHER_MODEL="scripted")


@pytest.mark.parametrize("wire", ["openai", "anthropic"])
def test_full_turn_with_tool_edit_over_real_http(
    wire: str, server: ScriptedProviderServer, ws: Path, tmp_path: Path
) -> None:
    server.set_script(Script([
        tool_turn("read_file", {"path": "hello.py"}, text="Let me look."),
        tool_turn("edit", EDIT),
        text_turn("Added a docstring to greet()."),
    ]))
    env = provider_env(tmp_path, server, wire)
    done = run_tether(["chat", "--workspace", str(ws), "Add a docstring to greet"], env=env)
    assert done.returncode == 0, done.stderr
    assert "Added a docstring to greet()." in done.stdout
    assert "▸ edit" in done.stderr and "✓ edit" in done.stderr
    assert '"""Return a greeting for name."""' in (ws / "hello.py").read_text()
    # the model saw the tool results in its own wire format
    third = json.dumps(server.requests[2])
    assert "Hello, {name}!" in third
    # the key never reached history
    history = list((tmp_path / "data").rglob("*.jsonl"))
    assert history and all("test-secret" not in p.read_text() for p in history)

    listed = run_tether(["sessions", "list", "--workspace", str(ws), "--json"], env=env)
    sessions = json.loads(listed.stdout)
    assert len(sessions) == 1 and sessions[0]["messageCount"] == 6


def test_chat_has_the_workspace_index_for_tools_and_the_repo_map(
    server: ScriptedProviderServer, ws: Path, tmp_path: Path
) -> None:
    (ws / "shapes.py").write_text("class Rectangle:\n    def area(self):\n        return 1\n")
    env = provider_env(tmp_path, server, "openai")
    # A first run builds the index in the background (the turn does not wait for it).
    server.set_script(Script([text_turn("Warming up.")]))
    assert run_tether(["chat", "-w", str(ws), "hello"], env=env).returncode == 0
    server.set_script(Script([
        tool_turn("search_code", {"query": "Rectangle area"}),
        tool_turn("find_symbol", {"name": "greet"}),
        text_turn("Found them."),
    ]))
    server.requests.clear()
    done = run_tether(["chat", "-w", str(ws), "where is the Rectangle area computed?"],
                      env=env)
    assert done.returncode == 0, done.stderr
    seen = json.dumps(server.requests[1:])
    assert "not available" not in seen and "not built" not in seen
    assert "shapes.py" in seen and "hello.py:1" in seen
    # The system prompt has a repo map, leaning toward the file the message is about.
    system = json.dumps(server.requests[0])
    assert "Repository map" in system and "shapes.py" in system


def test_json_mode_prints_one_event_per_line(
    server: ScriptedProviderServer, ws: Path, tmp_path: Path
) -> None:
    server.set_script(Script([text_turn("Hi there")]))
    done = run_tether(["chat", "-w", str(ws), "--json", "hello"],
                      env=provider_env(tmp_path, server, "openai"))
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    types = [e["type"] for e in events]
    assert types.count("turn_completed") == 1
    # the model-written title arrives after the turn ended, before the command exits
    assert types[-1] == "title_changed" and events[-1]["title"] == "Scripted session title"
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs)
    assert "".join(e["text"] for e in events if e["type"] == "text_delta") == "Hi there"


def test_resume_and_session_commands(
    server: ScriptedProviderServer, ws: Path, tmp_path: Path
) -> None:
    server.set_script(Script([text_turn("one"), text_turn("two")]))
    env = provider_env(tmp_path, server, "openai")
    assert run_tether(["chat", "-w", str(ws), "first question"], env=env).returncode == 0
    second = run_tether(["chat", "-w", str(ws), "--resume", "follow up"], env=env)
    assert second.returncode == 0, second.stderr
    assert "two" in second.stdout
    sessions = json.loads(run_tether(["sessions", "list", "-w", str(ws), "--json"],
                                     env=env).stdout)
    assert len(sessions) == 1
    sid = sessions[0]["id"]
    assert run_tether(["sessions", "rename", "-w", str(ws), sid, "Renamed"],
                      env=env).returncode == 0
    shown = run_tether(["sessions", "export", "-w", str(ws), sid], env=env)
    assert "Renamed" in shown.stdout and "follow up" in shown.stdout
    as_json = json.loads(run_tether(["sessions", "export", "-w", str(ws), "--format", "json",
                                     sid], env=env).stdout)
    assert [m["role"] for m in as_json["messages"]] == ["user", "assistant"] * 2
    assert run_tether(["sessions", "delete", "-w", str(ws), sid], env=env).returncode == 0
    assert json.loads(run_tether(["sessions", "list", "-w", str(ws), "--json"],
                                 env=env).stdout) == []
    missing = run_tether(["sessions", "show", "-w", str(ws), sid], env=env)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr


def test_unreachable_default_provider_is_one_plain_sentence(ws: Path, tmp_path: Path) -> None:
    env = base_env(tmp_path, OLLAMA_HOST="http://127.0.0.1:9")  # nothing listens on port 9
    done = run_tether(["chat", "-w", str(ws), "hello"], env=env)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "OLLAMA_HOST" in done.stderr or "Ollama" in done.stderr


def test_replay_demo_needs_no_api_key(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    shutil.copytree(REPO / "examples" / "demo-workspace", demo)
    transcript = REPO / "examples" / "demo-transcript.json"
    done = run_tether(["chat", "-w", str(demo), "--provider", f"replay:{transcript}",
                       "Add a docstring to greet() in hello.py"], env=base_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert '"""' in (demo / "hello.py").read_text()


def test_empty_prompt_is_a_usage_error(ws: Path, tmp_path: Path) -> None:
    done = run_tether(["chat", "-w", str(ws), "-"], env=base_env(tmp_path), stdin="  \n")
    assert done.returncode == 2 and "empty" in done.stderr


@pytest.mark.parametrize("wire", ["openai", "anthropic"])
def test_a_dropped_stream_is_retried_without_repeating_stdout(
        server: ScriptedProviderServer, ws: Path, tmp_path: Path, wire: str) -> None:
    answer = "The answer is forty-two, computed carefully."
    server.set_script(Script([text_turn(answer, chunk_size=5, fault="drop")]))
    out = run_tether(["chat", "-w", str(ws), "question"], env=provider_env(tmp_path, server, wire))
    assert out.returncode == 0, out.stderr
    assert "retrying" in out.stderr
    assert out.stdout == answer + "\n"
