"""Bounded waits through the editor's door: a silent provider, a command that daemonizes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from pathlib import Path

import pytest

from tether.testing.provider_server import Script, text_turn, tool_turn

from .conftest import WAIT, Env

linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


async def test_a_stream_that_sends_headers_then_nothing_fails_once(
    env: Env, workspace: Path
) -> None:
    env.provider.set_script(Script([text_turn("never", fault="silent", fault_times=99)]))
    async with env.serve([workspace], settings={"idleTimeout": 0.3}) as h:
        created = await h.request("tether/session/create", {"folderUri": workspace.as_uri()})
        sid = created["sessionId"]
        result = await h.request("tether/session/prompt", {"sessionId": sid, "text": "hi"})
        assert result["status"] == "failed"
        assert "sent nothing for 0.3 s after the response headers" in result["reason"]
        assert "idle_timeout" in result["reason"]
        kinds = [e["event"]["type"] for e in h.events_of(sid)]
        assert "stream_retry" not in kinds
        assert len(env.provider.requests) == 1  # one HTTP attempt, not six


@linux_only
async def test_cancel_during_a_command_stops_its_setsid_child(env: Env, workspace: Path) -> None:
    command = ("setsid sh -c 'echo $$ > pid.tmp && mv pid.tmp pid; exec sleep 1000' & "
               "until [ -s pid ]; do sleep 0.01; done; echo started; sleep 1000")
    env.provider.set_script(Script([tool_turn("run_command", {"command": command}),
                                    text_turn("unreachable")]))
    async with env.serve([workspace]) as h:
        created = await h.request("tether/session/create", {"folderUri": workspace.as_uri()})
        sid = created["sessionId"]
        prompt = asyncio.create_task(
            h.request("tether/session/prompt", {"sessionId": sid, "text": "run"}))
        await h.wait_event(sid, "tool_output_chunk")
        sleeper = int((workspace / "pid").read_text())
        assert Path(f"/proc/{sleeper}").exists()
        assert await h.request("tether/session/cancel", {"sessionId": sid}) == {
            "cancelled": True}
        result = await asyncio.wait_for(prompt, WAIT)
        assert result["status"] == "cancelled"
        try:
            for _ in range(500):  # bounded: gone, and reaped by the server (no zombie)
                if not Path(f"/proc/{sleeper}").exists():
                    break
                await asyncio.sleep(0.01)
            assert not Path(f"/proc/{sleeper}").exists(), "the setsid child outlived the cancel"
        finally:
            with contextlib.suppress(OSError):
                os.kill(sleeper, signal.SIGKILL)
