"""A turn end to end: create, prompt, events streamed in order, one terminal event."""

from __future__ import annotations

from pathlib import Path

import pytest

from tether import PROTOCOL_VERSION
from tether.protocol.events import EVENT_TYPES
from tether.protocol.methods import SessionEventNotification
from tether.testing.provider_server import Script, text_turn

from .conftest import CLIENTS, Env


@pytest.mark.parametrize("client_name", CLIENTS)
async def test_prompt_streams_events_in_seq_order(env: Env, workspace: Path,
                                                  client_name: str) -> None:
    answer = "Hello from the scripted model, streamed in tiny pieces. 😀 " * 8
    env.provider.set_script(Script([text_turn(answer, chunk_size=3)]))
    async with env.serve([workspace], client_name=client_name) as h:
        caps = h.init.capabilities.experimental["tether"]
        assert caps["protocolVersion"] == PROTOCOL_VERSION
        assert "tether/session/prompt" in caps["methods"]
        created = await h.request("tether/session/create", {"folderUri": workspace.as_uri()})
        sid = created["sessionId"]
        result = await h.request("tether/session/prompt", {"sessionId": sid, "text": "hi"})
        assert result["status"] == "completed"
        assert result["text"] == answer
        events = h.events_of(sid)
        for e in events:
            SessionEventNotification.model_validate(e)
        seqs = [e["seq"] for e in events]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
        terminal = [e for e in events if EVENT_TYPES[e["event"]["type"]].terminal]
        assert [t["event"]["type"] for t in terminal] == ["turn_completed"]
        assert events[-1] is terminal[0]
        streamed = "".join(e["event"]["text"] for e in events
                           if e["event"]["type"] == "text_delta")
        assert streamed == answer
        deltas = len(answer) // 3
        assert sum(1 for e in events if e["event"]["type"] == "text_delta") <= deltas
        assert env.provider.requests[0]["messages"][-1]["content"]


async def test_rename_fork_export_delete(env: Env, workspace: Path) -> None:
    env.provider.set_script(Script([text_turn("the answer is 42")]))
    async with env.serve([workspace]) as h:
        folder = {"folderUri": workspace.as_uri()}
        sid = (await h.request("tether/session/create", {**folder, "title": "first"}))["sessionId"]
        await h.request("tether/session/prompt", {"sessionId": sid, "text": "question"})
        assert await h.request("tether/session/rename",
                               {"sessionId": sid, "title": "renamed"}) == {"ok": True}
        listed = await h.request("tether/session/list", {**folder, "query": "renam"})
        assert [(s["id"], s["title"]) for s in listed["sessions"]] == [(sid, "renamed")]
        fork = await h.request("tether/session/fork", {"sessionId": sid})
        assert fork["sessionId"] != sid and fork["session"]["forkedFrom"] == sid
        forked = await h.request("tether/session/load", {"sessionId": fork["sessionId"]})
        assert any(p.get("text") == "the answer is 42"
                   for m in forked["messages"] for p in m["parts"])
        exported = await h.request("tether/session/export", {"sessionId": sid})
        assert "the answer is 42" in exported["content"]
        assert await h.request("tether/session/delete", {"sessionId": sid}) == {"ok": True}
        listed = await h.request("tether/session/list", folder)
        assert [s["id"] for s in listed["sessions"]] == [fork["sessionId"]]
        models = await h.request("tether/models/list", {})
        assert models["models"][0]["id"] == models["default"] == "openai/gpt-4o-mini"
