"""edit and write_file: exact replacement, uniqueness, and what the bridge was sent."""

from __future__ import annotations

from tether.errors import ToolError
from tether.tools.edit import EditTool
from tether.tools.write_file import WriteFileTool
from tether.workspace.folder import path_to_uri

from .conftest import Harness

edit, write_file = EditTool(), WriteFileTool()

SOURCE = "def greet(name):\n    return f'Hello, {name}!'\n\n\ndef bye():\n    return 'bye'\n"


async def test_edit_applies_and_returns_diff(ws: Harness) -> None:
    path = ws.write("hello.py", SOURCE)
    outcome = await edit.run(
        {"path": "hello.py", "old": "return 'bye'", "new": "return 'goodbye'"}, ws.ctx
    )
    assert not outcome.is_error
    assert outcome.edit_applied and not outcome.edit_rebased
    assert outcome.edited_uri == path_to_uri(path)
    assert outcome.diff == outcome.content
    assert outcome.content.startswith("--- a/hello.py\n+++ b/hello.py\n")
    assert "-    return 'bye'\n+    return 'goodbye'\n" in outcome.content
    assert path.read_text() == SOURCE.replace("'bye'", "'goodbye'")
    [sent] = ws.bridge.edits
    assert sent.path == path and sent.base.text == SOURCE and sent.base.exists
    assert sent.new_text == path.read_text() and sent.diff == outcome.diff


async def test_edit_works_on_the_live_buffer(ws: Harness) -> None:
    path = ws.write("a.py", "x = 1\n")
    ws.bridge.buffers[path] = "x = 1\ny = 2\n"
    outcome = await edit.run({"path": "a.py", "old": "y = 2", "new": "y = 3"}, ws.ctx)
    assert outcome.edit_applied
    assert ws.bridge.buffers[path] == "x = 1\ny = 3\n"
    assert ws.bridge.edits[0].base.version == 7
    assert path.read_text() == "x = 1\n"  # the disk under an open buffer is not touched


async def test_edit_not_found_hints_closest_line(ws: Harness) -> None:
    ws.write("hello.py", SOURCE)
    outcome = await edit.run(
        {"path": "hello.py", "old": "return f'Hello, {nam}!'", "new": "x"}, ws.ctx
    )
    assert outcome.is_error and not outcome.edit_applied
    assert "the text to replace was not found in hello.py" in outcome.content
    assert "closest line is 2: \"return f'Hello, {name}!'\"" in outcome.content
    assert ws.bridge.edits == []


async def test_edit_whitespace_mismatch_hint(ws: Harness) -> None:
    ws.write("hello.py", SOURCE)
    outcome = await edit.run(
        {"path": "hello.py", "old": "\treturn 'bye'", "new": "x"}, ws.ctx
    )
    assert outcome.is_error
    assert "closest line is 6" in outcome.content and "whitespace" in outcome.content


async def test_edit_not_found_without_similar_line(ws: Harness) -> None:
    ws.write("hello.py", SOURCE)
    outcome = await edit.run({"path": "hello.py", "old": "zzzzqqqq", "new": "x"}, ws.ctx)
    assert outcome.is_error and "read the file again" in outcome.content
    assert "closest" not in outcome.content


async def test_edit_multiple_matches(ws: Harness) -> None:
    ws.write("a.py", "x = 1\ny = 1\nz = 1\n")
    outcome = await edit.run({"path": "a.py", "old": " = 1", "new": " = 2"}, ws.ctx)
    assert outcome.is_error
    assert "occurs 3 times in a.py (lines 1, 2, 3)" in outcome.content
    assert "include more surrounding lines" in outcome.content
    assert ws.bridge.edits == []


async def test_edit_overlapping_matches_count(ws: Harness) -> None:
    ws.write("a.txt", "aaa\n")
    outcome = await edit.run({"path": "a.txt", "old": "aa", "new": "b"}, ws.ctx)
    assert outcome.is_error and "occurs 2 times" in outcome.content


async def test_edit_crlf_file(ws: Harness) -> None:
    path = ws.write("w.txt", "")
    path.write_bytes(b"one\r\ntwo\r\nthree\r\n")
    outcome = await edit.run({"path": "w.txt", "old": "one\ntwo", "new": "1\n2"}, ws.ctx)
    assert outcome.edit_applied, outcome.content
    assert path.read_bytes() == b"1\r\n2\r\nthree\r\n"


async def test_edit_errors(ws: Harness) -> None:
    ws.write("a.py", "x\n")
    (ws.root / "d").mkdir()
    cases = [
        ({"path": "a.py", "old": "x"}, "edit: missing required argument 'new'"),
        ({"path": "a.py", "old": "", "new": "y"}, "'old' must not be empty"),
        ({"path": "a.py", "old": "x", "new": "x"}, "old and new are identical"),
        ({"path": "nope.py", "old": "x", "new": "y"}, "nope.py does not exist; use write_file"),
        ({"path": "d", "old": "x", "new": "y"}, "d is a directory"),
        ({"path": 3, "old": "x", "new": "y"}, "'path' must be a string, got an integer"),
    ]
    for args, message in cases:
        outcome = await edit.run(args, ws.ctx)
        assert outcome.is_error and message in outcome.content, (args, outcome.content)
    assert ws.bridge.edits == []


async def test_edit_refused_by_the_bridge(ws: Harness) -> None:
    path = ws.write("a.py", "x = 1\n")
    ws.bridge.refuse = "lines 1-1 changed in the editor since the agent read the file"
    outcome = await edit.run({"path": "a.py", "old": "x = 1", "new": "x = 2"}, ws.ctx)
    assert outcome.is_error and not outcome.edit_applied
    assert outcome.content == ws.bridge.refuse == outcome.edit_message
    assert outcome.diff and "+x = 2" in outcome.diff
    assert path.read_text() == "x = 1\n"


async def test_edit_rebased_onto_disk_change(ws: Harness) -> None:
    """The disk changes between the read and the write: the DiskBridge merges."""
    path = ws.write("a.txt", "".join(f"l{i}\n" for i in range(10)))

    class Racing(type(ws.bridge)):  # type: ignore[misc]
        async def read_document(self, p):  # type: ignore[no-untyped-def]
            snap = await super().read_document(p)
            p.write_text(snap.text.replace("l0\n", "USER\n"))
            return snap

    ws.ctx.bridge = Racing()
    outcome = await edit.run({"path": "a.txt", "old": "l8\n", "new": "AGENT\n"}, ws.ctx)
    assert outcome.edit_applied and outcome.edit_rebased
    assert "changed on disk" in outcome.content and outcome.edit_message
    assert path.read_text().splitlines()[0] == "USER"
    assert path.read_text().splitlines()[8] == "AGENT"


async def test_write_file_creates_with_parents(ws: Harness) -> None:
    outcome = await write_file.run({"path": "pkg/sub/new.py", "content": "x = 1\n"}, ws.ctx)
    assert outcome.edit_applied and not outcome.is_error
    assert (ws.root / "pkg/sub/new.py").read_text() == "x = 1\n"
    [sent] = ws.bridge.edits
    assert not sent.base.exists and sent.base.text == ""
    assert outcome.content == "--- a/pkg/sub/new.py\n+++ b/pkg/sub/new.py\n@@ -0,0 +1 @@\n+x = 1\n"


async def test_write_file_overwrites(ws: Harness) -> None:
    path = ws.write("a.txt", "old\n")
    outcome = await write_file.run({"path": "a.txt", "content": "new\n"}, ws.ctx)
    assert outcome.edit_applied and "-old\n+new\n" in outcome.content
    assert path.read_text() == "new\n"


async def test_write_file_same_content_is_a_no_op(ws: Harness) -> None:
    ws.write("a.txt", "same\n")
    outcome = await write_file.run({"path": "a.txt", "content": "same\n"}, ws.ctx)
    assert not outcome.is_error and "nothing changed" in outcome.content
    assert ws.bridge.edits == []


async def test_write_file_errors(ws: Harness) -> None:
    ws.write("file.txt", "x\n")
    (ws.root / "d").mkdir()
    cases = [
        ({"path": "d", "content": "x"}, "d is a directory"),
        ({"path": "file.txt/inner.txt", "content": "x"}, "file.txt is a file"),
        ({"path": "a.txt"}, "write_file: missing required argument 'content'"),
        ({"path": "a.txt", "content": None}, "missing required argument 'content'"),
    ]
    for args, message in cases:
        outcome = await write_file.run(args, ws.ctx)
        assert outcome.is_error and message in outcome.content, (args, outcome.content)
    assert ws.bridge.edits == []


async def test_edit_duplicate_lines_reported_in_editor_lines(ws: Harness) -> None:
    path = ws.write("m.txt", "")
    path.write_bytes(b"dup\rx\x0cy\ndup\n")
    outcome = await edit.run({"path": "m.txt", "old": "dup", "new": "one"}, ws.ctx)
    assert "occurs 2 times in m.txt (lines 1, 3)" in outcome.content


async def test_bridge_errors_become_error_outcomes(ws: Harness) -> None:
    path = ws.write("a.py", "x = 1\n")

    async def conflict(edit: object) -> object:
        raise ToolError("the buffer was closed while the edit was pending")

    async def broken(edit: object) -> object:
        raise RuntimeError("bridge bug")

    ws.bridge.apply_edit = conflict  # type: ignore[method-assign,assignment]
    outcome = await edit.run({"path": "a.py", "old": "x = 1", "new": "x = 2"}, ws.ctx)
    assert outcome.is_error and outcome.content == (
        "the buffer was closed while the edit was pending"
    )
    ws.bridge.apply_edit = broken  # type: ignore[method-assign,assignment]
    outcome = await write_file.run({"path": "a.py", "content": "y\n"}, ws.ctx)
    assert outcome.is_error
    assert outcome.content == "write_file failed unexpectedly: RuntimeError: bridge bug"
    assert path.read_text() == "x = 1\n"
