"""Apply a chat code block to a file over LSP (issue 15, VS Code 5): the block travels the
agent's edit path (versioned applyEdit into the dirty buffer, a change set of its own,
undo alone), and a stale buffer or a block with no anchor is refused with words."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tether.protocol.error_codes import ErrorCode
from tether.testing.provider_server import Script, text_turn, tool_turn

from .conftest import WAIT, Env, Harness

CALC = (
    "def add(a, b):\n"
    "    return a + b\n"
    "\n"
    "def area(r):\n"
    "    pi = 3.14\n"
    "    return pi * r * r\n"
)
BLOCK = "def area(r):\n    pi = 3.14159\n    return pi * r * r\n"


async def _session(h: Harness, workspace: Path) -> str:
    created = await h.request("tether/session/create", {"folderUri": workspace.as_uri()})
    return str(created["sessionId"])


def _doc_edit(params: types.ApplyWorkspaceEditParams) -> types.TextDocumentEdit:
    changes = params.edit.document_changes or []
    assert len(changes) == 1 and isinstance(changes[0], types.TextDocumentEdit), params
    return changes[0]


async def test_block_lands_in_the_dirty_buffer_as_its_own_change_set(
        env: Env, workspace: Path) -> None:
    path = workspace / "calc.py"
    path.write_text(CALC)
    env.provider.set_script(Script([
        tool_turn("edit", {"path": "calc.py", "old": "a + b", "new": "b + a"}),
        text_turn(f"Use a better pi:\n\n```python\n{BLOCK}```\n"),
    ]))
    async with env.serve([workspace]) as h:
        uri = h.open(path)
        sid = await _session(h, workspace)
        agent_turn = (await h.request("tether/session/prompt",
                                      {"sessionId": sid, "text": "fix"}))["turnId"]
        h.type_text(uri, 2, 0, "# mine\n")  # unsaved typing: the buffer is dirty
        dirty, version = h.editor.docs[uri]
        sent = len(h.editor.edits)
        result = await h.request("tether/codeBlock/apply", {
            "sessionId": sid, "uri": uri, "code": BLOCK, "version": version})
        assert result["applied"] and result["placement"] == "region", result
        assert (result["startLine"], result["endLine"]) == (5, 7)
        assert result["target"] == "buffer" and path.read_text() == CALC  # disk untouched
        edit = _doc_edit(h.editor.edits[sent])
        assert edit.text_document.version == version
        only = edit.edits[0]
        assert isinstance(only, types.TextEdit)
        assert (only.range.start.line, only.range.end.line) == (5, 6)
        assert only.new_text == "    pi = 3.14159\n"
        applied = dirty.replace("pi = 3.14\n", "pi = 3.14159\n")
        assert h.editor.docs[uri][0] == applied

        change_id = result["changeId"]
        listed = await h.request("tether/changes/list", {"sessionId": sid})
        by_turn = {t["turnId"]: t for t in listed["turns"]}
        assert list(by_turn) == [agent_turn, change_id]
        [block_file] = by_turn[change_id]["files"]
        assert block_file["path"] == "calc.py"
        assert (block_file["added"], block_file["removed"]) == (1, 1)
        event = await h.wait_event(sid, "file_edited")
        assert event["event"]["turnId"] == agent_turn  # the agent's edit came first
        block_event = [e for e in h.events_of(sid) if e["event"]["type"] == "file_edited"][-1]
        assert block_event["event"]["turnId"] == change_id

        undone = await h.request("tether/changes/undo", {"sessionId": sid,
                                                         "turnId": change_id})
        assert undone["files"] == ["calc.py"] and not undone["conflicts"]
        assert h.editor.docs[uri][0] == dirty  # the agent's edit and the typing stay


async def test_stale_buffer_is_refused(env: Env, workspace: Path) -> None:
    path = workspace / "calc.py"
    path.write_text(CALC)
    async with env.serve([workspace]) as h:
        uri = h.open(path)
        sid = await _session(h, workspace)
        h.type_text(uri, 0, 0, "# typed after Apply was chosen\n")
        seen = h.editor.docs[uri][1] - 1
        stale = await h.request("tether/codeBlock/apply", {
            "sessionId": sid, "uri": uri, "code": BLOCK, "version": seen})
        assert not stale["applied"] and stale["reason"] == "stale", stale
        assert "apply it again" in stale["message"] and h.editor.edits == []

        # The user types over the block's lines while the edit is on its way: the editor
        # refuses the old version and the server's retry finds the lines overlapping.
        h.editor.before_apply = lambda: h.type_text(uri, 5, 4, "tau = 6.28  # ", end=(5, 4))
        raced = await h.request("tether/codeBlock/apply", {
            "sessionId": sid, "uri": uri, "code": BLOCK, "version": h.editor.docs[uri][1]})
        assert not raced["applied"] and raced["reason"] == "stale", raced
        assert "overlap" in raced["message"]
        assert "pi = 3.14\n" in h.editor.docs[uri][0]
        listed = await h.request("tether/changes/list", {"sessionId": sid})
        assert listed["turns"] == []


async def test_block_without_anchor_is_refused_naming_insert_at_cursor(
        env: Env, workspace: Path) -> None:
    path = workspace / "calc.py"
    path.write_text(CALC)
    async with env.serve([workspace]) as h:
        uri = h.open(path)
        sid = await _session(h, workspace)
        result = await h.request("tether/codeBlock/apply", {
            "sessionId": sid, "uri": uri, "code": "def mul(a, b):\n    return a * b\n"})
        assert not result["applied"] and result["reason"] == "no_anchor"
        assert "Insert at Cursor" in result["message"] and "calc.py" in result["message"]
        assert h.editor.edits == [] and h.editor.docs[uri][0] == CALC


async def test_block_creates_a_missing_file_named_by_a_relative_path(
        env: Env, workspace: Path) -> None:
    async with env.serve([workspace]) as h:
        sid = await _session(h, workspace)
        result = await h.request("tether/codeBlock/apply", {
            "sessionId": sid, "uri": "pkg/new.py", "code": "VALUE = 1\n"})
        assert result["applied"] and result["placement"] == "created", result
        assert (workspace / "pkg" / "new.py").read_text() == "VALUE = 1\n"
        rewound = await h.request("tether/session/rewind", {"sessionId": sid,
                                                            "turnId": result["changeId"]})
        assert rewound["restored"] == ["pkg/new.py"]
        assert not (workspace / "pkg" / "new.py").exists()
        with pytest.raises(JsonRpcException) as refused:
            await h.request("tether/codeBlock/apply", {
                "sessionId": sid, "uri": "../escape.py", "code": "x = 1\n"})
        assert refused.value.code == ErrorCode.PATH_OUTSIDE_WORKSPACE
        assert not (workspace.parent / "escape.py").exists()


def _user_texts(env: Env, request: int) -> list[str]:
    return [str(m.get("content")) for m in env.provider.requests[request]["messages"]
            if m.get("role") == "user"]


async def test_the_next_request_says_the_user_applied_the_block_then_undid_it(
        env: Env, workspace: Path) -> None:
    path = workspace / "calc.py"
    path.write_text(CALC)
    env.provider.set_script(Script([text_turn("Seen."), text_turn("Noted.")]))
    async with env.serve([workspace]) as h:
        h.open(path)
        sid = await _session(h, workspace)
        result = await h.request("tether/codeBlock/apply", {
            "sessionId": sid, "uri": "calc.py", "code": BLOCK})
        assert result["applied"], result
        block_event = await h.wait_event(sid, "file_edited")
        assert block_event["event"]["codeBlock"] == {
            "placement": "region", "startLine": 4, "endLine": 6}
        await h.request("tether/session/prompt", {"sessionId": sid, "text": "better?"})
        told = [u for u in _user_texts(env, 0) if "code block" in u]
        assert told == ["The user applied a code block from the chat to calc.py (lines 4-6); "
                        "the file holds it now."]
        await h.request("tether/changes/undo", {"sessionId": sid,
                                                "turnId": result["changeId"]})
        undone = await h.wait_event(sid, "change_undone")
        assert undone["event"]["codeBlock"] is True
        await h.request("tether/session/prompt", {"sessionId": sid, "text": "and now?"})
        said = [u for u in _user_texts(env, 1) if "undid" in u]
        assert said and "the code block they had applied to calc.py" in said[0]
        assert not any("your change" in u for u in said)
        assert sum("applied a code block" in u for u in _user_texts(env, 1)) == 1


async def test_a_block_is_refused_while_a_turn_runs_then_applied(
        env: Env, workspace: Path) -> None:
    path = workspace / "calc.py"
    path.write_text(CALC)
    (workspace / "other.py").write_text(CALC)
    env.provider.set_script(Script([
        tool_turn("edit", {"path": "calc.py", "old": "a + b", "new": "b + a"}),
        tool_turn("run_command", {"command": "true"}), text_turn("unreachable")]))
    async with env.serve([workspace]) as h:
        h.editor.permission_answer = "never"  # the turn waits on its second tool call
        sid = await _session(h, workspace)
        prompt = asyncio.create_task(
            h.request("tether/session/prompt", {"sessionId": sid, "text": "go"}))
        await h.wait_event(sid, "permission_requested")
        busy = await h.request("tether/codeBlock/apply", {
            "sessionId": sid, "uri": "calc.py", "code": BLOCK})
        assert not busy["applied"] and busy["reason"] == "busy", busy
        assert "turn is running" in busy["message"], busy
        assert "3.14159" not in path.read_text()
        later = await h.request("tether/codeBlock/apply", {  # one the turn may edit next
            "sessionId": sid, "uri": "other.py", "code": BLOCK})
        assert not later["applied"] and later["reason"] == "busy", later
        assert "3.14159" not in (workspace / "other.py").read_text()
        await h.request("tether/session/cancel", {"sessionId": sid})
        await asyncio.wait_for(prompt, WAIT)
        after = await h.request("tether/codeBlock/apply", {
            "sessionId": sid, "uri": "calc.py", "code": BLOCK})
        assert after["applied"], after
        listed = await h.request("tether/changes/list", {"sessionId": sid})
        assert [t["turnId"] for t in listed["turns"]][1:] == [after["changeId"]]
        assert "b + a" in path.read_text() and "3.14159" in path.read_text()


async def test_other_folders_and_special_files_get_a_json_rpc_error(
        env: Env, workspace: Path, tmp_path: Path) -> None:
    second = tmp_path / "second"
    second.mkdir()
    (second / "calc.py").write_text(CALC)
    os.mkfifo(workspace / "pipe.py")
    async with env.serve([workspace, second]) as h:
        sid = await _session(h, workspace)
        with pytest.raises(JsonRpcException) as other:  # a file of the other folder
            await h.request("tether/codeBlock/apply", {
                "sessionId": sid, "uri": (second / "calc.py").as_uri(), "code": BLOCK})
        assert other.value.code == ErrorCode.PATH_OUTSIDE_WORKSPACE
        assert (second / "calc.py").read_text() == CALC
        with pytest.raises(JsonRpcException) as pipe:
            await h.request("tether/codeBlock/apply", {
                "sessionId": sid, "uri": "pipe.py", "code": BLOCK})
        assert "pipe.py is a FIFO" in str(pipe.value)
        with pytest.raises(JsonRpcException) as unknown:
            await h.request("tether/codeBlock/apply", {
                "sessionId": "no-such-session", "uri": "calc.py", "code": BLOCK})
        assert unknown.value.code == ErrorCode.UNKNOWN_SESSION
        listed = await h.request("tether/changes/list", {"sessionId": sid})
        assert listed["turns"] == []
