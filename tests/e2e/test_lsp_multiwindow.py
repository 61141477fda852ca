"""Two `tether serve` processes (two editor windows) on one workspace and one session.

Real processes, real history files, the scripted provider over real HTTP: seqs stay
unique and increasing whoever writes, each window's model sees the other's turns, a
prompt while the other window runs a turn gets TURN_IN_PROGRESS, and a window sees the
other's durable events live.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from pygls.exceptions import JsonRpcException

from tether.lsp.wire import plain
from tether.protocol.error_codes import ErrorCode
from tether.testing.provider_server import Script, text_turn

from .conftest import WAIT, Env, Harness


def _texts(messages: list[dict[str, Any]]) -> list[str]:
    return [p["content"] if isinstance(p.get("content"), str) else str(p.get("content"))
            for p in messages]


async def _replay(h: Harness, sid: str) -> list[dict[str, Any]]:
    before = len(h.events_of(sid))
    result = await h.request("tether/session/replay", {"sessionId": sid, "fromSeq": 0})
    replayed = h.events_of(sid)[before:]
    assert result["count"] == len(replayed)
    return replayed


async def _wait_for(h: Harness, sid: str, predicate: Any) -> dict[str, Any]:
    async def poll() -> dict[str, Any]:
        while True:
            for e in h.events_of(sid):
                if predicate(e):
                    return e
            await asyncio.sleep(0.02)

    return await asyncio.wait_for(poll(), WAIT)


def _assert_api_valid(messages: list[dict[str, Any]]) -> None:
    """Every tool call answered before the next assistant/user message; no two
    assistant messages in a row (what OpenAI- and Anthropic-style APIs require)."""
    open_calls: set[str] = set()
    previous = ""
    for m in messages:
        role = m["role"]
        if role == "tool":
            for p in m["parts"]:
                open_calls.discard(p["toolCallId"])
        else:
            assert not open_calls, f"unanswered tool calls before a {role} message"
            assert not (role == previous == "assistant"), "two assistant messages in a row"
        for p in m["parts"]:
            if p["type"] == "tool_call":
                open_calls.add(p["id"])
        previous = role
    assert not open_calls


async def test_sequential_prompts_from_two_windows_share_one_history(
        env: Env, workspace: Path) -> None:
    env.provider.set_script(Script([text_turn("answer from A"), text_turn("answer from B"),
                                    text_turn("A again")]))
    async with env.serve([workspace]) as a, env.serve([workspace], client_name="neovim") as b:
        sid = (await a.request("tether/session/create",
                               {"folderUri": workspace.as_uri()}))["sessionId"]
        await a.request("tether/session/prompt", {"sessionId": sid, "text": "question from A"})
        await b.request("tether/session/load", {"sessionId": sid})
        result = await b.request("tether/session/prompt",
                                 {"sessionId": sid, "text": "question from B"})
        assert result["status"] == "completed"
        sent = _texts(env.provider.requests[-1]["messages"])
        assert "question from A" in sent and "answer from A" in sent  # B's model saw A's turn
        assert sent[-1] == "question from B"

        # A's next request contains B's turn too, and B sees A's durable events live
        result = await a.request("tether/session/prompt", {"sessionId": sid, "text": "and A"})
        sent = _texts(env.provider.requests[-1]["messages"])
        assert "question from B" in sent and "answer from B" in sent
        seen = await _wait_for(b, sid, lambda e: e["event"]["type"] == "turn_completed"
                               and e.get("turnId") == result["turnId"])
        assert seen["event"]["text"] == "A again"
        live_in_b = [e for e in b.events_of(sid) if e.get("turnId") == result["turnId"]]
        assert live_in_b[0]["event"]["type"] == "turn_started"
        assert [e["seq"] for e in live_in_b] == sorted({e["seq"] for e in live_in_b})

        replay_a, replay_b = await _replay(a, sid), await _replay(b, sid)
        for replayed in (replay_a, replay_b):
            seqs = [e["seq"] for e in replayed]
            assert seqs == sorted(set(seqs)), "replay seqs must be unique and increasing"
        assert [e["seq"] for e in replay_a] == [e["seq"] for e in replay_b]
        prompts = [e["event"]["message"]["parts"][0]["text"] for e in replay_a
                   if e["event"]["type"] == "message_added"
                   and e["event"]["message"]["role"] == "user"]
        assert prompts == ["question from A", "question from B", "and A"]
        assert sum(e["event"]["type"] == "turn_completed" for e in replay_a) == 3
        loaded = await b.request("tether/session/load", {"sessionId": sid})
        _assert_api_valid(loaded["messages"])


async def test_concurrent_prompt_in_another_window_gets_turn_in_progress(
        env: Env, workspace: Path) -> None:
    env.provider.set_script(Script([text_turn("a slow answer " * 20, chunk_size=4,
                                              chunk_delay=0.05),
                                    text_turn("after")]))
    async with env.serve([workspace]) as a, env.serve([workspace]) as b:
        sid = (await a.request("tether/session/create",
                               {"folderUri": workspace.as_uri()}))["sessionId"]
        await b.request("tether/session/load", {"sessionId": sid})
        running = asyncio.ensure_future(
            a.request("tether/session/prompt", {"sessionId": sid, "text": "from A"}))
        await a.wait_event(sid, "text_delta")
        with pytest.raises(JsonRpcException) as refused:
            await b.request("tether/session/prompt", {"sessionId": sid, "text": "from B"})
        assert refused.value.code == ErrorCode.TURN_IN_PROGRESS
        assert "another Tether process" in refused.value.message
        assert plain(refused.value.data)["elsewhere"] is True
        steered = await b.request("tether/session/steer", {"sessionId": sid, "text": "x"})
        assert steered["queued"] is False  # steer is per window: it is not taken here
        assert (await running)["status"] == "completed"
        await _wait_for(b, sid, lambda e: e["event"]["type"] == "turn_completed")
        result = await b.request("tether/session/prompt", {"sessionId": sid, "text": "from B"})
        assert result["status"] == "completed"
        # A's mirror forwards B's turn on its own schedule: let it arrive before the replay,
        # so what the replay sends is not mixed with mirrored events.
        await _wait_for(a, sid, lambda e: e["event"]["type"] == "turn_completed"
                        and e["event"].get("turnId") == result["turnId"])
        loaded = await a.request("tether/session/load", {"sessionId": sid})
        _assert_api_valid(loaded["messages"])
        assert [m["role"] for m in loaded["messages"]] == ["user", "assistant"] * 2
        seqs = [e["seq"] for e in await _replay(a, sid)]
        assert seqs == sorted(set(seqs))


