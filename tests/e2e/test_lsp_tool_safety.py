"""Tools cannot freeze the server: a model-chosen regex, a FIFO, a device, a 1 GB file.

The scripted model calls the tool in a real turn against `python -m tether serve`; while
it runs, other requests and the cancel must still be answered (no timing asserts: WAIT
is only a hang guard), and special files come back as tool errors, never a hang.
"""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tether.lsp.wire import plain
from tether.testing.provider_server import Script, text_turn, tool_turn

from .conftest import WAIT, Env, Harness

CATASTROPHIC = r"(a|aa)+$"  # backtracks ~fib(n) steps in `re` and in `regex` alike


def _terminals(h: Harness, sid: str) -> list[str]:
    kinds = {"turn_completed", "turn_cancelled", "turn_failed", "step_limit_reached"}
    return [e["event"]["type"] for e in h.events_of(sid) if e["event"]["type"] in kinds]


def _tool_outputs(h: Harness, sid: str) -> list[dict[str, Any]]:
    return [e["event"] for e in h.events_of(sid) if e["event"]["type"] == "tool_call_completed"]


async def _session(h: Harness, workspace: Path) -> str:
    created = await h.request("tether/session/create", {"folderUri": workspace.as_uri()})
    return str(created["sessionId"])


def _chardev(path: Path) -> None:
    try:
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 5))  # what /dev/zero is
    except PermissionError:
        pytest.skip("creating a character device needs CAP_MKNOD")


@pytest.mark.parametrize("how", ["tether/session/cancel", "$/cancelRequest"])
async def test_cancel_is_answered_while_a_catastrophic_grep_runs(
    env: Env, workspace: Path, how: str
) -> None:
    (workspace / "a.txt").write_text("a" * 60 + "!\n")
    env.provider.set_script(Script([
        tool_turn("grep", {"pattern": CATASTROPHIC}),
        text_turn("unreachable"),
    ]))
    async with env.serve([workspace], settings={"grepTimeout": 600}) as h:
        sid = await _session(h, workspace)
        future = h.client.protocol.send_request(
            "tether/session/prompt", {"sessionId": sid, "text": "search"}, msg_id="prompt-1")
        await h.wait_event(sid, "tool_call_started")
        # the server answers other requests while the pattern backtracks
        listed = await h.request("tether/session/list", {"folderUri": workspace.as_uri()})
        assert [s["id"] for s in listed["sessions"]] == [sid]
        assert not future.done()
        if how == "tether/session/cancel":
            assert await h.request("tether/session/cancel", {"sessionId": sid}) == {
                "cancelled": True}
        else:
            h.client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="prompt-1"))
        result = plain(await asyncio.wait_for(asyncio.wrap_future(future), WAIT))
        assert result["status"] == "cancelled"
        assert _terminals(h, sid) == ["turn_cancelled"]
        # and the session (and its grep pool) works afterwards
        env.provider.set_script(Script([tool_turn("grep", {"pattern": "a+!"}),
                                        text_turn("found")]))
        after = await h.request("tether/session/prompt", {"sessionId": sid, "text": "again"})
        assert after["status"] == "completed"
        assert _tool_outputs(h, sid)[-1]["output"].startswith("a.txt:1:")


async def test_a_pattern_that_runs_out_of_time_is_a_tool_error(
    env: Env, workspace: Path
) -> None:
    (workspace / "a.txt").write_text("a" * 60 + "!\n")
    env.provider.set_script(Script([tool_turn("grep", {"pattern": CATASTROPHIC}),
                                    text_turn("done")]))
    async with env.serve([workspace], settings={"grepTimeout": 0.5}) as h:
        sid = await _session(h, workspace)
        result = await h.request("tether/session/prompt", {"sessionId": sid, "text": "go"})
        assert result["status"] == "completed"
        [grep] = _tool_outputs(h, sid)
        assert not grep["success"] and "pattern timed out after 0.5 s" in grep["output"]


async def test_special_and_huge_files_in_a_real_turn(env: Env, workspace: Path) -> None:
    (workspace / "ok.py").write_text("def alpha():\n    return 'needle'\n")
    os.mkfifo(workspace / "pipe.txt")
    _chardev(workspace / "zero.txt")
    with (workspace / "huge.txt").open("wb") as fh:
        fh.truncate(1024 ** 3)  # sparse: no real disk use
    calls = [tool_turn("read_file", {"path": "pipe.txt"}, id=f"c{i}") for i in range(7)]
    env.provider.set_script(Script([
        *calls,
        tool_turn("read_file", {"path": "zero.txt"}),
        tool_turn("read_file", {"path": "huge.txt"}),
        tool_turn("edit", {"path": "huge.txt", "old": "a", "new": "b"}),
        tool_turn("grep", {"pattern": "needle"}),
        text_turn("done"),
    ]))
    async with env.serve([workspace]) as h:
        sid = await _session(h, workspace)
        extra = [(workspace / n).as_uri() for n in ("pipe.txt", "zero.txt", "huge.txt")]
        result = await h.request("tether/session/prompt", {
            "sessionId": sid, "text": "look", "context": {"extraFileUris": extra}})
        assert result["status"] == "completed"
        outputs = [e["output"] for e in _tool_outputs(h, sid)]
        assert all("a FIFO (named pipe), not a regular file" in o for o in outputs[:7])
        assert "a character device, not a regular file" in outputs[7]
        assert "over the 10 MiB file size cap (setting maxFileBytes)" in outputs[8]
        assert "over the 10 MiB file size cap (setting maxFileBytes)" in outputs[9]
        grep = outputs[10].splitlines()
        assert grep[0] == "ok.py:2:    return 'needle'"
        assert "huge.txt" in grep[1] and "pipe.txt" in grep[1] and "zero.txt" in grep[1]
        loaded = await h.request("tether/session/load", {"sessionId": sid})
        user = next(m for m in loaded["messages"] if m["role"] == "user")
        notes = "\n".join(p.get("text", "") for p in user["parts"] if p["type"] == "text")
        assert "pipe.txt not attached" in notes and "zero.txt not attached" in notes
        assert "huge.txt not attached" in notes
        # the index built past them too
        folder = {"folderUri": workspace.as_uri()}

        async def ready() -> dict[str, Any]:
            while True:
                status = await h.request("tether/index/status", folder)
                if status["state"] in ("ready", "failed"):
                    return dict(status)
                await asyncio.sleep(0.05)

        status = await asyncio.wait_for(ready(), WAIT)
        assert status["state"] == "ready" and status["files"] == 1
