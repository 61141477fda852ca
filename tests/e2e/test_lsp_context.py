"""Long work over LSP: compaction events, the context breakdown, pins and Continue, with
the scripted provider enforcing a 12k window and reporting it at /props (llama.cpp)."""

from __future__ import annotations

import json
from pathlib import Path

from support.long_turns import AGENTS_TEXT, TASK, big_files, reading_script

from .conftest import Env

WINDOW = 12_000
SETTINGS = {"maxTokens": 2000, "repoMapTokens": 0}


def prepare(env: Env, workspace: Path, reads: int) -> None:
    big_files(workspace, reads)
    (workspace / "AGENTS.md").write_text(AGENTS_TEXT + "\n")
    env.provider.context_window = WINDOW
    env.provider.strict_tool_pairing = True
    env.provider.set_script(reading_script(reads))


async def test_compaction_events_and_context_breakdown(env: Env, workspace: Path) -> None:
    prepare(env, workspace, 36)
    async with env.serve([workspace], settings=SETTINGS) as h:
        sid = (await h.request("tether/session/create",
                               {"folderUri": workspace.as_uri()}))["sessionId"]
        pin = await h.request("tether/session/pin",
                              {"sessionId": sid, "text": "Answer in one sentence."})
        result = await h.request("tether/session/prompt", {"sessionId": sid, "text": TASK})
        assert result["status"] == "completed", result
        assert env.provider.rejected == []
        kinds = [e["event"]["type"] for e in h.events_of(sid)]
        assert "compaction_started" in kinds and "compaction" in kinds
        done = [e["event"] for e in h.events_of(sid)
                if e["event"]["type"] == "compaction_completed"]
        assert done and done[0]["tokensAfter"] < done[0]["tokensBefore"] <= WINDOW
        for body in [b for b in env.provider.requests if b.get("tools")]:
            text = json.dumps(body["messages"])
            assert TASK in text and AGENTS_TEXT in text and "Answer in one sentence." in text

        ctx = await h.request("tether/session/context", {"sessionId": sid})
        assert ctx["contextWindow"] == WINDOW and ctx["totalTokens"] <= ctx["budgetTokens"]
        sections = {s["name"]: s for s in ctx["sections"]}
        assert [i["label"] for i in sections["rules"]["items"]] == ["AGENTS.md"]
        assert sections["summary"]["tokens"] > 0 and ctx["summarizedMessages"] > 0
        states = {i.get("state", "whole") for i in sections["messages"]["items"]}
        assert {"summarized", "stubbed", "whole"} <= states, states
        assert pin["pinId"] in [i["label"] for i in sections["pins"]["items"]]
        assert (await h.request("tether/session/unpin",
                                {"sessionId": sid, "pinId": pin["pinId"]}))["removed"]


async def test_continue_after_the_step_limit(env: Env, workspace: Path) -> None:
    prepare(env, workspace, 4)
    async with env.serve([workspace], settings={**SETTINGS, "maxSteps": 2}) as h:
        sid = (await h.request("tether/session/create",
                               {"folderUri": workspace.as_uri()}))["sessionId"]
        first = await h.request("tether/session/prompt", {"sessionId": sid, "text": TASK})
        assert first["status"] == "step_limit" and "continue" in first["reason"]
        checkpoint = await h.wait_event(sid, "checkpoint")
        assert len(checkpoint["event"]["done"]) == 2
        assert (await h.request("tether/session/context", {"sessionId": sid}))["canContinue"]
        second = await h.request("tether/session/continue", {"sessionId": sid})
        assert second["status"] == "step_limit"  # two more reads, then the limit again
        third = await h.request("tether/session/continue", {"sessionId": sid})
        assert third["status"] == "completed", third
        prompts = [e["event"]["prompt"] for e in h.events_of(sid)
                   if e["event"]["type"] == "turn_started"]
        assert prompts[0] == TASK and "Continue the task" in prompts[2]
