"""Agent edits land in the editor's buffer through versioned workspace/applyEdit."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from tether.testing.provider_server import Script, text_turn, tool_turn
from tether.workspace.overlay import position_at

from .conftest import CLIENTS, Env, Harness


async def _session(h: Harness, workspace: Path) -> str:
    created = await h.request("tether/session/create", {"folderUri": workspace.as_uri()})
    return str(created["sessionId"])


def _edit_script(old: str, new: str, path: str = "app.py") -> Script:
    return Script([tool_turn("edit", {"path": path, "old": old, "new": new}),
                   text_turn("Done.")])


@pytest.mark.parametrize("client_name", CLIENTS)
async def test_edit_targets_unsaved_buffer_not_disk(env: Env, workspace: Path,
                                                    client_name: str) -> None:
    path = workspace / "app.py"
    path.write_text("x = 1\ny = 2\n")
    env.provider.set_script(_edit_script("y = 2", "y = 20"))
    async with env.serve([workspace], client_name=client_name) as h:
        uri = h.open(path)
        h.type_text(uri, 2, 0, "z = 'ünsaved 😀'\n")  # unsaved: the disk does not have it
        # typed after the emoji: the column is in the negotiated encoding (UTF-8 for Neovim)
        _, column = position_at("z = 'ünsaved 😀", 15,
                                h.editor.encoding)  # type: ignore[arg-type]
        h.type_text(uri, 2, column, "!")
        sid = await _session(h, workspace)
        result = await h.request("tether/session/prompt", {"sessionId": sid, "text": "edit"})
        assert result["status"] == "completed"
        assert len(h.editor.edits) == 1
        (doc_edit,) = h.editor.edits[0].edit.document_changes  # type: ignore[misc]
        assert isinstance(doc_edit, types.TextDocumentEdit)
        assert doc_edit.text_document.version == 3  # the version the edit was computed on
        assert [e.new_text for e in doc_edit.edits] == ["y = 20\n"]  # only the changed line
        assert h.editor.docs[uri][0] == "x = 1\ny = 20\nz = 'ünsaved 😀!'\n"
        assert path.read_text() == "x = 1\ny = 2\n"  # nothing written under the buffer
        edited = await h.wait_event(sid, "file_edited")
        assert edited["event"]["applied"] is True
        assert "+y = 20" in edited["event"]["diff"]
        assert " z = 'ünsaved 😀!'" in edited["event"]["diff"]  # the server saw the same text
        # the model's next request saw a successful tool result
        tool_msg = env.provider.requests[1]["messages"][-1]
        assert tool_msg["role"] == "tool"


async def test_stale_version_is_rebased_onto_new_typing(env: Env, workspace: Path) -> None:
    path = workspace / "app.py"
    path.write_text("a = 1\nb = 2\nc = 3\nd = 4\n")
    env.provider.set_script(_edit_script("a = 1", "a = 100"))
    async with env.serve([workspace]) as h:
        uri = h.open(path)
        # the user types on line 4 after the agent read the buffer, before the edit lands
        h.editor.before_apply = lambda: h.type_text(uri, 3, 5, "0")
        sid = await _session(h, workspace)
        result = await h.request("tether/session/prompt", {"sessionId": sid, "text": "edit"})
        assert result["status"] == "completed"
        assert h.editor.docs[uri][0] == "a = 100\nb = 2\nc = 3\nd = 40\n"
        versions = [e.edit.document_changes[0].text_document.version  # type: ignore[index,union-attr]
                    for e in h.editor.edits]
        assert versions == [1, 2]  # refused as stale, then rebased onto version 2
        edited = await h.wait_event(sid, "file_edited")
        assert edited["event"]["applied"] is True and edited["event"]["rebased"] is True
        assert path.read_text() == "a = 1\nb = 2\nc = 3\nd = 4\n"


async def test_overlapping_change_is_refused_and_buffer_kept(env: Env, workspace: Path) -> None:
    path = workspace / "app.py"
    path.write_text("a = 1\nb = 2\n")
    env.provider.set_script(_edit_script("a = 1", "a = 100"))
    async with env.serve([workspace]) as h:
        uri = h.open(path)
        h.editor.before_apply = lambda: h.type_text(uri, 0, 4, "7", end=(0, 5))  # a = 7
        sid = await _session(h, workspace)
        result = await h.request("tether/session/prompt", {"sessionId": sid, "text": "edit"})
        assert result["status"] == "completed"
        assert h.editor.docs[uri][0] == "a = 7\nb = 2\n"  # the user's text wins
        edited = await h.wait_event(sid, "file_edited")
        assert edited["event"]["applied"] is False
        assert "line 1" in edited["event"]["message"]
        tool_msg = env.provider.requests[1]["messages"][-1]
        assert "line 1" in tool_msg["content"]


async def test_new_file_is_created_on_disk(env: Env, workspace: Path) -> None:
    env.provider.set_script(Script([
        tool_turn("write_file", {"path": "pkg/new.py", "content": "print('hi')\n"}),
        text_turn("Created."),
    ]))
    async with env.serve([workspace]) as h:
        sid = await _session(h, workspace)
        result = await h.request("tether/session/prompt", {"sessionId": sid, "text": "new"})
        assert result["status"] == "completed"
        assert h.editor.edits == []  # no hidden buffer: the file is on disk
        assert (workspace / "pkg" / "new.py").read_text() == "print('hi')\n"
        edited = await h.wait_event(sid, "file_edited")
        assert edited["event"]["target"] == "disk" and edited["event"]["created"] is True


async def test_closed_file_edits_go_to_disk(env: Env, workspace: Path) -> None:
    path = workspace / "closed.py"
    path.write_text("a = 1\nkeep\nb = 1\n")
    env.provider.set_script(Script([
        tool_turn("edit", {"path": "closed.py", "old": "a = 1", "new": "a = 2"}),
        tool_turn("edit", {"path": "closed.py", "old": "b = 1", "new": "b = 2"}),
        text_turn("Both done."),
    ]))
    async with env.serve([workspace]) as h:
        sid = await _session(h, workspace)
        result = await h.request("tether/session/prompt", {"sessionId": sid, "text": "edit"})
        assert result["status"] == "completed"
        assert h.editor.edits == []  # a closed, clean file is written, not opened unseen
        assert path.read_text() == "a = 2\nkeep\nb = 2\n"
        edits = [e["event"] for e in h.events_of(sid) if e["event"]["type"] == "file_edited"]
        assert [e["target"] for e in edits] == ["disk", "disk"]
        assert len(edits[1]["hunkIds"]) == 2  # the turn's two hunks in the file
        assert edits[0]["hunkIds"][0] in edits[1]["hunkIds"]  # the first kept its id


async def test_files_outside_the_folder_are_refused(env: Env, tmp_path: Path,
                                                   workspace: Path) -> None:
    outside = tmp_path / "outside.txt"
    env.provider.set_script(Script([
        tool_turn("write_file", {"path": str(outside), "content": "nope\n"}),
        tool_turn("write_file", {"path": "../outside.txt", "content": "nope\n"}),
        text_turn("Could not."),
    ]))
    async with env.serve([workspace]) as h:
        sid = await _session(h, workspace)
        result = await h.request("tether/session/prompt", {"sessionId": sid, "text": "escape"})
        assert result["status"] == "completed"
        assert h.editor.edits == []
        assert not outside.exists()
        results = [m for r in env.provider.requests[1:] for m in r["messages"]
                   if m["role"] == "tool"]
        assert results and all("outside" in m["content"] for m in results)
