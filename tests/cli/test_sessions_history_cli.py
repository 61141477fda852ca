"""`tether sessions search | archive | unarchive | fork | import-codex`, as a user runs them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tether.store import workspace_dir
from tether.testing.provider_server import (
    Script,
    ScriptedProviderServer,
    text_turn,
    tool_turn,
)
from tether.workspace.folder import WorkspaceFolder

from .codex_rollouts import write_rollouts
from .test_chat_cli import base_env, provider_env, run_tether


@pytest.fixture
def server() -> Iterator[ScriptedProviderServer]:
    with ScriptedProviderServer() as srv:
        yield srv


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    return root


def _json(out: Any) -> Any:
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _records(tmp_path: Path, folder: Path, sid: str) -> list[dict[str, Any]]:
    sessions = workspace_dir(WorkspaceFolder.at(folder), tmp_path / "data") / "sessions"
    path = sessions / f"{sid}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()[1:]]


def test_search_archive_unarchive_and_fork(
        server: ScriptedProviderServer, ws: Path, tmp_path: Path) -> None:
    env = provider_env(tmp_path, server, "openai")
    (ws / "notes_about_pangolins.txt").write_text("x\n")
    server.set_script(Script([tool_turn("list_dir", {"path": "."}), text_turn("listed"),
                              text_turn("plain answer")]))
    first = run_tether(["chat", "-w", str(ws), "--yes", "what files are there"], env=env)
    assert first.returncode == 0, first.stderr
    second = run_tether(["chat", "-w", str(ws), "something else"], env=env)
    assert second.returncode == 0, second.stderr
    sessions = _json(run_tether(["sessions", "list", "-w", str(ws), "--json"], env=env))
    listed_one = next(s["id"] for s in sessions if s["messageCount"] == 4)  # the tool turn

    hits = _json(run_tether(["sessions", "search", "pangolins", "-w", str(ws), "--json"],
                            env=env))
    assert [(h["sessionId"], h["kind"]) for h in hits] == [(listed_one, "tool_output")]

    out = run_tether(["sessions", "archive", listed_one, "-w", str(ws)], env=env)
    assert out.returncode == 0 and "archived" in out.stdout
    listed = _json(run_tether(["sessions", "list", "-w", str(ws), "--json"], env=env))
    assert listed_one not in [s["id"] for s in listed]
    everything = _json(run_tether(["sessions", "list", "-w", str(ws), "--archived", "--json"],
                                  env=env))
    assert {s["id"]: s["archived"] for s in everything}[listed_one] is True
    assert _json(run_tether(["sessions", "search", "pangolins", "-w", str(ws), "--json"],
                            env=env)) == []
    out = run_tether(["sessions", "unarchive", listed_one, "-w", str(ws)], env=env)
    assert out.returncode == 0

    forked = _json(run_tether(["sessions", "fork", listed_one, "-w", str(ws), "--json"], env=env))
    shown = _json(run_tether(["sessions", "show", forked["sessionId"], "-w", str(ws), "--json"],
                             env=env))
    assert shown["session"]["forkedFrom"] == listed_one
    assert [m["role"] for m in shown["messages"]] == ["user", "assistant", "tool", "assistant"]


def test_import_codex_twice_makes_one_copy_and_keeps_unknown_items(
        ws: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "other-project"
    elsewhere.mkdir()
    codex_home = tmp_path / "codex-home"
    write_rollouts(codex_home, ws.resolve(), also_elsewhere=elsewhere.resolve())
    env = base_env(tmp_path, CODEX_HOME=str(codex_home))
    first = _json(run_tether(["sessions", "import-codex", "-w", str(ws), "--json"], env=env))
    assert len(first["imported"]) == 2 and first["skipped"] == 1  # the other folder's one
    again = _json(run_tether(["sessions", "import-codex", "-w", str(ws), "--json"], env=env))
    assert again["imported"] == [] and again["skipped"] == 3
    listed = _json(run_tether(["sessions", "list", "-w", str(ws), "--json"], env=env))
    assert sorted(s["title"] for s in listed) == ["Why does greet() fail on None?",
                                                  "hello from May"]
    sid = next(s["id"] for s in listed if s["title"].startswith("Why"))
    shown = _json(run_tether(["sessions", "show", sid, "-w", str(ws), "--json"], env=env))
    messages = shown["messages"]
    assert [m["role"] for m in messages] == [
        "user", "assistant", "tool", "assistant", "tool", "assistant", "user", "assistant",
        "tool"]
    call_message = messages[1]
    assert [p["type"] for p in call_message["parts"]] == ["thinking", "tool_call"]
    assert call_message["parts"][0]["text"] == "**Reading greet**"
    assert call_message["parts"][1]["arguments"]["command"] == ["bash", "-lc", "cat hello.py"]
    assert "quasimodal marker" in messages[2]["parts"][0]["content"]
    assert messages[3]["parts"][0]["name"] == "apply_patch"
    assert messages[4]["parts"][0]["content"] == "Success. Updated hello.py"
    assert messages[5]["parts"][0]["text"] == "greet() now handles None."
    assert messages[-1]["parts"][0]["isError"] is True  # a call the rollout never answered
    kept = [r["item"] for r in _records(tmp_path, ws, sid) if r["type"] == "codex_item"]
    kinds = {(k["type"], k["payload"].get("type")) for k in kept}
    assert ("world_state", None) in kinds  # an unknown line type
    assert ("response_item", "web_search_call") in kinds
    assert ("event_msg", "token_count") in kinds
    assert any(k["type"] == "turn_context" for k in kept)
    found = _json(run_tether(["sessions", "search", "quasimodal", "-w", str(ws), "--json"],
                             env=env))
    assert [h["sessionId"] for h in found] == [sid]

    # without --workspace each rollout goes to the folder it ran in
    other = _json(run_tether(["sessions", "import-codex", "--json"], env=env))
    assert len(other["imported"]) == 1
    listed = _json(run_tether(["sessions", "list", "-w", str(elsewhere), "--json"], env=env))
    assert len(listed) == 1
