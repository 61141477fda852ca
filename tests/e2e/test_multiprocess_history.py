"""History shared by real processes: `tether chat` runs beside each other and beside
`tether serve`, a process killed mid-stream, a stream restarted over real HTTP."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tether.store import workspace_dir
from tether.testing.provider_server import Script, text_turn
from tether.workspace.folder import WorkspaceFolder

from .conftest import WAIT, Env
from .test_lsp_multiwindow import _assert_api_valid, _wait_for

CHAT = [sys.executable, "-m", "tether", "chat"]
SLOW = "streaming slowly, word by word, so a process can be killed mid-answer. " * 6


def _sessions_dir(env: Env, workspace: Path) -> Path:
    return workspace_dir(WorkspaceFolder.at(workspace), env.data_dir) / "sessions"


def _records(env: Env, workspace: Path, sid: str) -> list[dict[str, Any]]:
    path = _sessions_dir(env, workspace) / f"{sid}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()[1:] if line.strip()]


def _chat(env: Env, workspace: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([*CHAT, "-w", str(workspace), "--json", *args],
                            env=env.environ(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _wait_file(predicate: Any) -> Any:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("the history never reached the expected state")


def _session_id(env: Env, workspace: Path) -> str:
    def one() -> str | None:
        d = _sessions_dir(env, workspace)
        files = sorted(d.glob("*.jsonl")) if d.is_dir() else []
        return files[0].stem if files else None

    return str(_wait_file(one))


def _terminals(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kinds = {"turn_completed", "turn_cancelled", "turn_failed", "step_limit_reached"}
    return [r for r in records if r["type"] in kinds]


async def test_kill_9_mid_stream_then_load_closes_the_turn_and_keeps_the_text(
        env: Env, workspace: Path) -> None:
    env.provider.set_script(Script([text_turn(SLOW, chunk_size=4, chunk_delay=0.05),
                                    text_turn("after the crash")]))
    chat = _chat(env, workspace, "tell me a long story")
    try:
        sid = _session_id(env, workspace)
        checkpoint = _wait_file(lambda: [r for r in _records(env, workspace, sid)
                                         if r["type"] == "message_checkpoint"])
        chat.send_signal(signal.SIGKILL)
    finally:
        if chat.poll() is None:
            chat.kill()
        chat.communicate(timeout=WAIT)  # reaps it and closes the pipes
    assert _terminals(_records(env, workspace, sid)) == []  # the turn was cut off
    async with env.serve([workspace]) as h:
        loaded = await h.request("tether/session/load", {"sessionId": sid})
        last = loaded["messages"][-1]
        assert last["role"] == "assistant" and last["interrupted"] is True
        partial = last["parts"][0]["text"]
        assert partial and SLOW.startswith(partial)
        assert len(partial) >= len(checkpoint[0]["text"]) > 0
        records = _records(env, workspace, sid)
        ends = _terminals(records)
        assert [(e["type"], e["reason"]) for e in ends] == [
            ("turn_failed", "interrupted: the process ended")]
        seqs = [r["seq"] for r in records]
        assert seqs == sorted(set(seqs))
        # the session goes on, and the model is told the reply was interrupted
        result = await h.request("tether/session/prompt", {"sessionId": sid, "text": "go on"})
        assert result["status"] == "completed"
        sent = env.provider.requests[-1]["messages"]
        assert any(partial in str(m.get("content")) for m in sent)
    async with env.serve([workspace]) as h:  # loading again adds nothing
        await h.request("tether/session/load", {"sessionId": sid})
        assert len(_terminals(_records(env, workspace, sid))) == 2


async def test_two_chats_on_one_session_at_once(env: Env, workspace: Path) -> None:
    env.provider.set_script(Script([text_turn("first"),
                                    text_turn(SLOW, chunk_size=8, chunk_delay=0.05),
                                    text_turn(SLOW, chunk_size=8, chunk_delay=0.05)]))
    first = _chat(env, workspace, "start")
    _, err = first.communicate(timeout=WAIT)
    assert first.returncode == 0, err
    sid = _session_id(env, workspace)
    one = _chat(env, workspace, "--session", sid, "from one")
    two = _chat(env, workspace, "--session", sid, "from two")
    outs = [p.communicate(timeout=WAIT) for p in (one, two)]
    codes = sorted([one.returncode, two.returncode])
    if codes == [0, 0]:  # they did not overlap after all: each saw the other's turn
        assert env.provider.turns_played == 3
    else:
        assert codes == [0, 1]
        loser = outs[[one.returncode, two.returncode].index(1)]
        assert "another Tether process" in loser[1]
    records = _records(env, workspace, sid)
    seqs = [r["seq"] for r in records]
    assert seqs == sorted(set(seqs))
    assert all(len(_terminals(records)) == n for n in
               [sum(r["type"] == "turn_started" for r in records)])
    async with env.serve([workspace]) as h:
        loaded = await h.request("tether/session/load", {"sessionId": sid})
        _assert_api_valid(loaded["messages"])


async def test_a_chat_beside_an_editor_window_shows_up_live(env: Env, workspace: Path) -> None:
    env.provider.set_script(Script([text_turn("from the editor"),
                                    text_turn("from the terminal")]))
    async with env.serve([workspace]) as h:
        sid = (await h.request("tether/session/create",
                               {"folderUri": workspace.as_uri()}))["sessionId"]
        await h.request("tether/session/prompt", {"sessionId": sid, "text": "editor asks"})
        chat = _chat(env, workspace, "--session", sid, "terminal asks")
        _out, err = await asyncio.to_thread(chat.communicate, timeout=WAIT)
        assert chat.returncode == 0, err
        done = await _wait_for(h, sid, lambda e: e["event"]["type"] == "turn_completed"
                               and e["event"]["text"] == "from the terminal")
        live = [e for e in h.events_of(sid) if e.get("turnId") == done["turnId"]]
        added = [e["event"]["message"]["role"] for e in live
                 if e["event"]["type"] == "message_added"]
        assert added == ["user", "assistant"]
        assert "editor asks" in str(env.provider.requests[-1]["messages"])  # chat saw it
        seqs = [e["seq"] for e in h.events_of(sid) if e["event"]["type"] != "text_delta"]
        assert seqs == sorted(set(seqs))


async def test_a_restarted_stream_never_repeats_text(env: Env, workspace: Path) -> None:
    answer = "The answer is forty-two, computed carefully."
    env.provider.set_script(Script([text_turn(answer, chunk_size=5, fault="drop")]))
    async with env.serve([workspace]) as h:
        sid = (await h.request("tether/session/create",
                               {"folderUri": workspace.as_uri()}))["sessionId"]
        result = await h.request("tether/session/prompt", {"sessionId": sid, "text": "q"})
        assert result["status"] == "completed" and result["text"] == answer
        events = [e["event"] for e in h.events_of(sid)]
        retries = [e for e in events if e["type"] == "stream_retry"]
        assert len(retries) == 1 and retries[0]["discardMessageId"]
        streamed: dict[str, str] = {}
        for e in events:
            if e["type"] == "text_delta":
                streamed[e["messageId"]] = streamed.get(e["messageId"], "") + e["text"]
        assert retries[0]["discardMessageId"] in streamed  # the dropped partial was shown
        loaded = await h.request("tether/session/load", {"sessionId": sid})
        stored = {m["id"]: "".join(p.get("text", "") for p in m["parts"] if p["type"] == "text")
                  for m in loaded["messages"] if m["role"] == "assistant"}
        assert stored and all(streamed.get(mid) == text for mid, text in stored.items())
        assert retries[0]["discardMessageId"] not in stored
