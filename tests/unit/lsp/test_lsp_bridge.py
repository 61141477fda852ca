"""The LSP editor bridge against a fake editor that applies edits like a real one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from support.fake_editor import FakeEditor
from support.fake_editor import change_of as _change
from tether.errors import PathOutsideWorkspaceError
from tether.lsp.bridge import LspEditorBridge, minimal_edit
from tether.workspace.bridge import DocumentSnapshot, FileEdit, PermissionRequest
from tether.workspace.folder import WorkspaceFolder, path_to_uri
from tether.workspace.overlay import DocumentOverlay, TextChange, apply_change


@pytest.fixture
def setup(tmp_path: Path) -> tuple[WorkspaceFolder, DocumentOverlay, FakeEditor, LspEditorBridge]:
    folder = WorkspaceFolder.at(tmp_path)
    overlay = DocumentOverlay()
    editor = FakeEditor(overlay)
    edited: list[tuple[Path, str]] = []
    bridge = LspEditorBridge(folder, overlay, editor, on_edited=lambda p, t: edited.append((p, t)),
                             settle_timeout=0.5)
    return folder, overlay, editor, bridge


def test_minimal_edit_replaces_only_changed_lines() -> None:
    old = "a\nb\nc\nd\n"
    edit = minimal_edit(old, "a\nB\nc\nd\n")
    assert (edit.range.start.line, edit.range.end.line, edit.new_text) == (1, 2, "B\n")
    tail = minimal_edit("x\ny", "x\ny\nz\n")
    assert apply_change("x\ny", _change(tail)) == "x\ny\nz\n"
    emoji = minimal_edit("😀 = 1\nq", "😀 = 2\nq")
    assert apply_change("😀 = 1\nq", _change(emoji)) == "😀 = 2\nq"
    assert apply_change("", _change(minimal_edit("", "new\n"))) == "new\n"


async def test_reads_live_buffer_not_disk(setup: Any, tmp_path: Path) -> None:
    _folder, overlay, _editor, bridge = setup
    path = tmp_path / "m.py"
    path.write_text("disk\n")
    overlay.open(path_to_uri(path), "buffer\n", 3)
    snap = await bridge.read_document(path)
    assert (snap.text, snap.version) == ("buffer\n", 3)
    overlay.close(path_to_uri(path))
    snap = await bridge.read_document(path)
    assert (snap.text, snap.version) == ("disk\n", None)
    missing = await bridge.read_document(tmp_path / "nope.py")
    assert not missing.exists


async def test_outside_folder_is_refused(setup: Any, tmp_path: Path) -> None:
    _f, _o, editor, bridge = setup
    outside = tmp_path.parent / "elsewhere.txt"
    with pytest.raises(PathOutsideWorkspaceError):
        await bridge.read_document(outside)
    snap = DocumentSnapshot(path=outside, text="", version=None, exists=False)
    outcome = await bridge.apply_edit(FileEdit(outside, snap, "x", ""))
    assert not outcome.applied and "outside" in outcome.message
    assert editor.edits == []


async def test_edit_open_buffer_is_versioned_and_disk_untouched(setup: Any, tmp_path: Path) -> None:
    _f, overlay, editor, bridge = setup
    path = tmp_path / "m.py"
    path.write_text("one\ntwo\nthree\n")
    uri = path_to_uri(path)
    overlay.open(uri, "one\ntwo\nthree\nunsaved\n", 7)
    snap = await bridge.read_document(path)
    outcome = await bridge.apply_edit(
        FileEdit(path, snap, "one\nTWO\nthree\nunsaved\n", ""))
    assert outcome.applied and not outcome.rebased
    assert outcome.final_text == "one\nTWO\nthree\nunsaved\n"
    doc_edit = editor.edits[0].document_changes[0]
    assert doc_edit.text_document.version == 7
    assert len(doc_edit.edits) == 1 and doc_edit.edits[0].new_text == "TWO\n"
    assert overlay.get(uri).text == "one\nTWO\nthree\nunsaved\n"
    assert path.read_text() == "one\ntwo\nthree\n"


async def test_stale_version_non_overlapping_is_rebased(setup: Any, tmp_path: Path) -> None:
    _f, overlay, editor, bridge = setup
    path = tmp_path / "r.py"
    uri = path_to_uri(path)
    overlay.open(uri, "a\nb\nc\nd\ne\n", 1)
    snap = await bridge.read_document(path)
    overlay.change(uri, 2, [TextChange("user\n", (4, 0), (5, 0))])  # user edits line 5
    outcome = await bridge.apply_edit(FileEdit(path, snap, "A\nb\nc\nd\ne\n", ""))
    assert outcome.applied and outcome.rebased
    assert overlay.get(uri).text == "A\nb\nc\nd\nuser\n"
    assert editor.edits[0].document_changes[0].text_document.version == 2


async def test_stale_version_overlapping_is_refused(setup: Any, tmp_path: Path) -> None:
    _f, overlay, editor, bridge = setup
    path = tmp_path / "c.py"
    uri = path_to_uri(path)
    overlay.open(uri, "a\nb\nc\n", 1)
    snap = await bridge.read_document(path)
    overlay.change(uri, 2, [TextChange("user\n", (1, 0), (2, 0))])
    outcome = await bridge.apply_edit(FileEdit(path, snap, "a\nagent\nc\n", ""))
    assert not outcome.applied
    assert "line 2" in outcome.message
    assert editor.edits == []
    assert overlay.get(uri).text == "a\nuser\nc\n"


async def test_buffer_moving_during_apply_is_retried(setup: Any, tmp_path: Path) -> None:
    _f, overlay, editor, bridge = setup
    path = tmp_path / "race.py"
    uri = path_to_uri(path)
    overlay.open(uri, "a\nb\nc\n", 1)
    snap = await bridge.read_document(path)
    editor.before_apply = lambda: overlay.change(uri, 2, [TextChange("C\n", (2, 0), (3, 0))])
    outcome = await bridge.apply_edit(FileEdit(path, snap, "A\nb\nc\n", ""))
    assert outcome.applied and outcome.rebased
    assert overlay.get(uri).text == "A\nb\nC\n"
    assert len(editor.edits) == 2


async def test_closed_file_edit_goes_to_disk_not_a_hidden_buffer(setup: Any,
                                                                 tmp_path: Path) -> None:
    _f, _overlay, editor, bridge = setup
    path = tmp_path / "closed.py"
    path.write_text("x = 1\n")
    snap = await bridge.read_document(path)
    outcome = await bridge.apply_edit(FileEdit(path, snap, "x = 2\n", ""))
    assert outcome.applied and outcome.target == "disk"
    assert editor.edits == []  # nothing the editor would hold unsaved and unseen
    assert path.read_text() == "x = 2\n"
    again = await bridge.read_document(path)
    assert again.text == "x = 2\n" and again.version is None


async def test_open_buffer_edit_says_buffer(setup: Any, tmp_path: Path) -> None:
    _f, overlay, _editor, bridge = setup
    path = tmp_path / "open.py"
    path.write_text("x = 1\n")
    overlay.open(path_to_uri(path), "x = 1\n", 1)
    snap = await bridge.read_document(path)
    outcome = await bridge.apply_edit(FileEdit(path, snap, "x = 2\n", ""))
    assert outcome.applied and outcome.target == "buffer"
    assert path.read_text() == "x = 1\n"


async def test_new_file_is_created_on_disk(setup: Any, tmp_path: Path) -> None:
    _f, _overlay, editor, bridge = setup
    path = tmp_path / "pkg" / "new.py"
    snap = await bridge.read_document(path)
    outcome = await bridge.apply_edit(FileEdit(path, snap, "print('hi')\n", ""))
    assert outcome.applied and outcome.target == "disk"
    assert editor.edits == []
    assert path.read_text() == "print('hi')\n"


async def test_new_file_without_create_support_is_written(setup: Any, tmp_path: Path) -> None:
    _f, _overlay, editor, bridge = setup
    editor.create_files = False
    path = tmp_path / "w.txt"
    snap = await bridge.read_document(path)
    outcome = await bridge.apply_edit(FileEdit(path, snap, "hello\n", ""))
    assert outcome.applied and path.read_text() == "hello\n"
    assert editor.edits == []


async def test_editor_refusal_reason_reaches_the_tool(setup: Any, tmp_path: Path) -> None:
    _f, overlay, editor, bridge = setup
    path = tmp_path / "n.py"
    overlay.open(path_to_uri(path), "a\n", 1)
    snap = await bridge.read_document(path)
    editor.refuse = "file is read-only"
    outcome = await bridge.apply_edit(FileEdit(path, snap, "b\n", ""))
    assert not outcome.applied and "file is read-only" in outcome.message


async def test_deleted_since_read_is_refused(setup: Any, tmp_path: Path) -> None:
    _f, _overlay, editor, bridge = setup
    path = tmp_path / "gone.py"
    path.write_text("a\n")
    snap = await bridge.read_document(path)
    path.unlink()
    outcome = await bridge.apply_edit(FileEdit(path, snap, "b\n", ""))
    assert not outcome.applied and "deleted" in outcome.message
    assert editor.edits == []


def _perm() -> PermissionRequest:
    return PermissionRequest(session_id="s", tool_call_id="c", tool="run_command",
                             description="Run `make test`.")


async def test_permission_through_tether_request(setup: Any) -> None:
    _f, _o, editor, bridge = setup
    editor.permission_answer = {"option": "allow_always"}
    assert await bridge.request_permission(_perm()) == "allow_always"
    assert editor.asked[0].tool == "run_command"
    editor.permission_answer = {"option": "maybe"}
    assert await bridge.request_permission(_perm()) == "reject"
    editor.permission_answer = None
    assert await bridge.request_permission(_perm()) == "reject"


async def test_permission_through_show_message_request(setup: Any) -> None:
    _f, _o, editor, bridge = setup
    editor.tether_permissions = False
    editor.message_answer = "Allow once"
    assert await bridge.request_permission(_perm()) == "allow_once"
    message, actions = editor.asked[-1]
    assert actions == ["Allow once", "Allow always", "Reject"]
    assert "make test" in message
    editor.message_answer = None
    assert await bridge.request_permission(_perm()) == "reject"


async def test_editor_error_answer_is_a_refusal(setup: Any, tmp_path: Path) -> None:
    _f, overlay, editor, bridge = setup
    path = tmp_path / "e.py"
    overlay.open(path_to_uri(path), "a\n", 1)
    snap = await bridge.read_document(path)
    editor.fail = RuntimeError("connection lost")
    outcome = await bridge.apply_edit(FileEdit(path, snap, "b\n", ""))
    assert not outcome.applied and "connection lost" in outcome.message


async def test_client_without_apply_edit(setup: Any, tmp_path: Path) -> None:
    _f, overlay, editor, bridge = setup
    editor.apply_edits = False
    closed = tmp_path / "closed.txt"
    closed.write_text("old\n")
    snap = await bridge.read_document(closed)
    outcome = await bridge.apply_edit(FileEdit(closed, snap, "new\n", ""))
    assert outcome.applied and closed.read_text() == "new\n"  # no buffer: the disk is safe
    opened = tmp_path / "open.txt"
    opened.write_text("disk\n")
    overlay.open(path_to_uri(opened), "buffer\n", 1)
    snap = await bridge.read_document(opened)
    outcome = await bridge.apply_edit(FileEdit(opened, snap, "agent\n", ""))
    assert not outcome.applied and opened.read_text() == "disk\n"
    assert editor.edits == []
