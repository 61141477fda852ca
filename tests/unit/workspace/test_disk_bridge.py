"""DiskBridge: reads the disk, writes atomically, rebases or refuses, never clobbers."""

import io
import os
import stat
from pathlib import Path

import pytest

from tether.errors import ToolError
from tether.workspace.bridge import DocumentSnapshot, FileEdit, PermissionRequest
from tether.workspace.diffs import unified_diff
from tether.workspace.disk_bridge import DiskBridge, terminal_asker

TEXT = "".join(f"line {i}\n" for i in range(1, 11))


def make_edit(snapshot: DocumentSnapshot, new_text: str) -> FileEdit:
    return FileEdit(
        snapshot.path, snapshot, new_text, unified_diff(snapshot.text, new_text, "f")
    )


async def test_read_document(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_bytes("héllo\r\nworld".encode())
    snap = await DiskBridge().read_document(f)
    assert snap.exists and snap.text == "héllo\r\nworld" and snap.version is None


async def test_read_missing_file(tmp_path: Path) -> None:
    snap = await DiskBridge().read_document(tmp_path / "nope.txt")
    assert not snap.exists and snap.text == ""


async def test_read_binary_is_a_clear_error(tmp_path: Path) -> None:
    f = tmp_path / "b.bin"
    f.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(ToolError, match="not UTF-8"):
        await DiskBridge().read_document(f)


async def test_apply_writes_and_keeps_mode(tmp_path: Path) -> None:
    f = tmp_path / "run.sh"
    f.write_text(TEXT)
    f.chmod(0o751)
    bridge = DiskBridge()
    snap = await bridge.read_document(f)
    out = await bridge.apply_edit(make_edit(snap, TEXT + "more\n"))
    assert out.applied and not out.rebased and out.final_text == TEXT + "more\n"
    assert f.read_text() == TEXT + "more\n"
    assert stat.S_IMODE(f.stat().st_mode) == 0o751
    assert [p.name for p in tmp_path.iterdir()] == ["run.sh"]  # no temp file left behind


async def test_apply_creates_new_file_and_parents(tmp_path: Path) -> None:
    f = tmp_path / "deep" / "er" / "new.txt"
    bridge = DiskBridge()
    snap = await bridge.read_document(f)
    out = await bridge.apply_edit(make_edit(snap, "new\n"))
    assert out.applied
    assert f.read_text() == "new\n"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(f.stat().st_mode) == 0o666 & ~umask


async def test_disk_changed_elsewhere_is_rebased(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text(TEXT)
    bridge = DiskBridge()
    snap = await bridge.read_document(f)
    f.write_text(TEXT.replace("line 1\n", "LINE ONE\n"))  # the user saves meanwhile
    out = await bridge.apply_edit(make_edit(snap, TEXT.replace("line 9\n", "nine\n")))
    assert out.applied and out.rebased
    assert "changed on disk" in out.message
    assert f.read_text() == TEXT.replace("line 1\n", "LINE ONE\n").replace("line 9\n", "nine\n")


async def test_conflicting_change_is_refused_and_disk_kept(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text(TEXT)
    bridge = DiskBridge()
    snap = await bridge.read_document(f)
    user = TEXT.replace("line 5\n", "USER 5\n")
    f.write_text(user)
    out = await bridge.apply_edit(make_edit(snap, TEXT.replace("line 5\n", "AGENT 5\n")))
    assert not out.applied
    assert "line 5 changed in the editor since the agent read the file" in out.message
    assert f.read_text() == user


async def test_file_deleted_underneath_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text(TEXT)
    bridge = DiskBridge()
    snap = await bridge.read_document(f)
    f.unlink()
    out = await bridge.apply_edit(make_edit(snap, "x\n"))
    assert not out.applied and "deleted" in out.message
    assert not f.exists()


async def test_file_created_underneath_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    bridge = DiskBridge()
    snap = await bridge.read_document(f)
    f.write_text("someone else\n")
    out = await bridge.apply_edit(make_edit(snap, "agent\n"))
    assert not out.applied and "created on disk" in out.message
    assert f.read_text() == "someone else\n"


async def test_file_became_binary_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text(TEXT)
    bridge = DiskBridge()
    snap = await bridge.read_document(f)
    f.write_bytes(b"\xff\x00")
    out = await bridge.apply_edit(make_edit(snap, "x\n"))
    assert not out.applied and "not UTF-8" in out.message
    assert f.read_bytes() == b"\xff\x00"


async def test_a_path_through_a_symlink_is_refused_not_followed(tmp_path: Path) -> None:
    """The tools hand over canonical paths; a symlink on one appeared after the check."""
    target = tmp_path / "real.txt"
    target.write_text("a\n")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    bridge = DiskBridge()
    with pytest.raises(ToolError, match="changed while it was being opened"):
        await bridge.read_document(link)
    snap = await bridge.read_document(target)
    edit = make_edit(snap, "b\n")
    out = await bridge.apply_edit(FileEdit(link, snap, edit.new_text, edit.diff))
    assert not out.applied and "changed while it was being opened" in out.message
    assert link.is_symlink() and target.read_text() == "a\n"


async def test_unwritable_folder_is_reported(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores permissions")
    folder = tmp_path / "ro"
    folder.mkdir()
    f = folder / "a.txt"
    f.write_text("a\n")
    folder.chmod(0o500)
    try:
        bridge = DiskBridge()
        out = await bridge.apply_edit(make_edit(await bridge.read_document(f), "b\n"))
        assert not out.applied and "cannot write" in out.message
        assert f.read_text() == "a\n"
    finally:
        folder.chmod(0o700)


REQUEST = PermissionRequest("s", "t", "run_command", "Run `ls`", diff=None)


async def test_permission_auto_approve_and_asker() -> None:
    assert await DiskBridge(auto_approve=True).request_permission(REQUEST) == "allow_once"
    seen: list[PermissionRequest] = []

    async def asker(req: PermissionRequest) -> str:
        seen.append(req)
        return "allow_always"

    assert await DiskBridge(asker=asker).request_permission(REQUEST) == "allow_always"  # type: ignore[arg-type]
    assert seen == [REQUEST]


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_terminal_asker_non_interactive_rejects() -> None:
    err = io.StringIO()
    assert await terminal_asker(REQUEST, stdin=io.StringIO("y\n"), stderr=err) == "reject"
    assert err.getvalue() == ""


@pytest.mark.parametrize(
    ("typed", "answer"),
    [("y\n", "allow_once"), ("always\n", "allow_always"), ("n\n", "reject"), ("\n", "reject"),
     ("what\nY\n", "allow_once"), ("", "reject")],
)
async def test_terminal_asker_answers(typed: str, answer: str) -> None:
    err = io.StringIO()
    request = PermissionRequest("s", "t", "write_file", "Write a.txt", diff="+x\n")
    assert await terminal_asker(request, stdin=FakeTty(typed), stderr=err) == answer
    assert "+x\n" in err.getvalue() and "Write a.txt" in err.getvalue()


async def test_a_folder_on_the_way_that_is_a_symlink_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "f.txt").write_text("secret\n")
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "sub").symlink_to(outside)
    with pytest.raises(ToolError, match="a folder on the way became a symlink"):
        await DiskBridge().read_document(tmp_path / "ws" / "sub" / "f.txt")
