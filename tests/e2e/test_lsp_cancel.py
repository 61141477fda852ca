"""Cancel mid-stream and mid-tool: exactly one terminal event, the prompt answers cancelled."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from lsprotocol import types

from tether.lsp.wire import plain
from tether.testing.provider_server import Script, text_turn, tool_turn

from .conftest import WAIT, Env, Harness


def _terminals(h: Harness, sid: str) -> list[str]:
    kinds = {"turn_completed", "turn_cancelled", "turn_failed", "step_limit_reached"}
    return [e["event"]["type"] for e in h.events_of(sid) if e["event"]["type"] in kinds]


async def _session(h: Harness, workspace: Path) -> str:
    created = await h.request("tether/session/create", {"folderUri": workspace.as_uri()})
    return str(created["sessionId"])


SLOW = "word " * 2000


async def test_cancel_mid_stream_with_cancel_method(env: Env, workspace: Path) -> None:
    env.provider.set_script(Script([text_turn(SLOW, chunk_size=5, chunk_delay=0.02)]))
    async with env.serve([workspace]) as h:
        sid = await _session(h, workspace)
        prompt = asyncio.create_task(
            h.request("tether/session/prompt", {"sessionId": sid, "text": "talk"}))
        await h.wait_event(sid, "text_delta")
        assert (await h.request("tether/session/cancel", {"sessionId": sid})) == {
            "cancelled": True}
        result = await asyncio.wait_for(prompt, WAIT)
        assert result["status"] == "cancelled"
        assert _terminals(h, sid) == ["turn_cancelled"]
        again = await h.request("tether/session/cancel", {"sessionId": sid})
        assert again == {"cancelled": False}  # idempotent
        loaded = await h.request("tether/session/load", {"sessionId": sid})
        partial = [m for m in loaded["messages"] if m["role"] == "assistant"]
        assert partial and partial[-1]["interrupted"] is True


async def test_cancel_request_on_the_prompt_answers_cancelled(env: Env, workspace: Path) -> None:
    env.provider.set_script(Script([text_turn(SLOW, chunk_size=5, chunk_delay=0.02)]))
    async with env.serve([workspace], client_name="neovim") as h:
        sid = await _session(h, workspace)
        future = h.client.protocol.send_request(
            "tether/session/prompt", {"sessionId": sid, "text": "talk"}, msg_id="prompt-1")
        await h.wait_event(sid, "text_delta")
        h.client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="prompt-1"))
        result = plain(await asyncio.wait_for(asyncio.wrap_future(future), WAIT))
        assert result["status"] == "cancelled"
        assert result["sessionId"] == sid and result["turnId"]
        assert _terminals(h, sid) == ["turn_cancelled"]
        # the session is usable again afterwards
        env.provider.set_script(Script([text_turn("back")]))
        after = await h.request("tether/session/prompt", {"sessionId": sid, "text": "again"})
        assert after["status"] == "completed" and after["text"] == "back"


async def test_cancel_request_answers_the_turns_own_result(env: Env, workspace: Path) -> None:
    """The prompt's clientMessageId comes back on turn_started (and on replay: it is
    durable); `$/cancelRequest` is answered with the cancelled turn's own TurnResult, the
    turn id the events carry, not one rebuilt from the last event."""
    env.provider.set_script(Script([text_turn(SLOW, chunk_size=5, chunk_delay=0.02)]))
    async with env.serve([workspace], client_name="visual-studio-code") as h:
        sid = await _session(h, workspace)
        future = h.client.protocol.send_request(
            "tether/session/prompt",
            {"sessionId": sid, "text": "talk", "clientMessageId": "cm-7"}, msg_id="prompt-7")
        started = await h.wait_event(sid, "turn_started")
        assert started["event"]["clientMessageId"] == "cm-7"
        await h.wait_event(sid, "text_delta")
        h.client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="prompt-7"))
        result = plain(await asyncio.wait_for(asyncio.wrap_future(future), WAIT))
        cancelled = await h.wait_event(sid, "turn_cancelled")
        assert result["status"] == "cancelled" and result["sessionId"] == sid
        assert result["turnId"] == started["turnId"] == cancelled["turnId"]
        assert result["reason"] == cancelled["event"]["reason"] == "cancelled by user"
        assert "usage" in result
        assert result["text"] and SLOW.startswith(result["text"])  # what was said so far
        replayed = await h.request("tether/session/replay", {"sessionId": sid, "fromSeq": 0})
        assert replayed["count"] > 0
        starts = [e for e in h.events_of(sid) if e["event"]["type"] == "turn_started"]
        assert len(starts) == 2 and starts[-1]["event"]["clientMessageId"] == "cm-7"
        assert starts[-1]["turnId"] == started["turnId"]


async def test_cancel_mid_tool_stops_the_command(env: Env, workspace: Path) -> None:
    env.provider.set_script(Script([
        tool_turn("run_command", {"command": "echo started; sleep 30; touch never"}),
        text_turn("unreachable"),
    ]))
    async with env.serve([workspace]) as h:
        sid = await _session(h, workspace)
        prompt = asyncio.create_task(
            h.request("tether/session/prompt", {"sessionId": sid, "text": "run"}))
        await h.wait_event(sid, "tool_output_chunk")
        await h.request("tether/session/cancel", {"sessionId": sid})
        result = await asyncio.wait_for(prompt, WAIT)
        assert result["status"] == "cancelled"
        assert _terminals(h, sid) == ["turn_cancelled"]
        done = await h.wait_event(sid, "tool_call_completed")
        assert done["event"]["success"] is False
        assert h.editor.permission_requests  # it asked before running
        assert not (workspace / "never").exists()


async def test_cancel_while_waiting_for_permission_withdraws_the_prompt(env: Env,
                                                                       workspace: Path) -> None:
    env.provider.set_script(Script([tool_turn("run_command", {"command": "touch never"}),
                                    text_turn("unreachable")]))
    async with env.serve([workspace]) as h:
        h.editor.permission_answer = "never"
        sid = await _session(h, workspace)
        prompt = asyncio.create_task(
            h.request("tether/session/prompt", {"sessionId": sid, "text": "run"}))
        async def until(condition: Callable[[], bool]) -> None:
            while not condition():
                await asyncio.sleep(0.02)

        # the prompt is on the editor's screen (the event alone may precede the request)
        await asyncio.wait_for(until(lambda: bool(h.editor.permission_requests)), WAIT)
        await h.request("tether/session/cancel", {"sessionId": sid})
        result = await asyncio.wait_for(prompt, WAIT)
        assert result["status"] == "cancelled"
        assert _terminals(h, sid) == ["turn_cancelled"]
        # the server withdrew it with $/cancelRequest
        await asyncio.wait_for(until(lambda: h.editor.permission_withdrawn), WAIT)
        assert not (workspace / "never").exists()
