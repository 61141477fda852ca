"""Bad input is skipped and counted by reason; everything else is still indexed."""

from __future__ import annotations

import os
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tether.index import WorkspaceIndex
from tether.index import scan as scan_mod
from tether.index import workspace_index as wi_mod
from tether.index.scan import scan_file
from tether.index.walk import WalkResult
from tether.index.walk import walk as real_walk
from tether.workspace.folder import WorkspaceFolder

Tree = Callable[[dict[str, str | bytes]], Path]


async def build(root: Path, **kwargs: Any) -> tuple[WorkspaceIndex, Any]:
    index = WorkspaceIndex(WorkspaceFolder.at(root), **kwargs)
    stats = await index.build()
    return index, stats


async def test_binary_invalid_utf8_and_oversized_are_counted(tree: Tree) -> None:
    root = tree({
        "ok.py": "def fine():\n    pass\n",
        "image.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "latin1.txt": "caf\xe9".encode("latin-1"),
        "big.py": "x = 1\n" * 100,
    })
    index, stats = await build(root, max_file_bytes=200)
    try:
        assert stats.files == 1
        assert stats.skipped == {"binary": 1, "invalid_utf8": 1, "too_large": 1}
        assert [h.path for h in await index.search("fine")] == ["ok.py"]
        assert await index.search("PNG") == []
    finally:
        await index.aclose()


async def test_parse_errors_are_counted_but_the_file_stays_searchable(tree: Tree) -> None:
    root = tree({"broken.py": "def ok_func():\n    pass\n\ndef (:\n  ]]]\n"})
    index, stats = await build(root)
    try:
        assert stats.files == 1
        assert stats.skipped == {"parse_error": 1}
        assert (await index.find_symbol("ok_func"))[0].path == "broken.py"
        assert (await index.search("ok_func"))[0].path == "broken.py"
    finally:
        await index.aclose()


async def test_file_vanishing_between_walk_and_read(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree({"a.py": "A = 1\n", "gone.py": "G = 1\n"})

    def walk_then_delete(*args: Any) -> WalkResult:
        result = real_walk(*args)
        (root / "gone.py").unlink()
        return result

    monkeypatch.setattr(wi_mod, "walk", walk_then_delete)
    index, stats = await build(root)
    try:
        assert stats.files == 1
        assert stats.skipped == {"vanished": 1}
        assert await index.find_symbol("G") == []
    finally:
        await index.aclose()


async def test_unreadable_file_is_counted(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree({"a.py": "A = 1\n", "locked.py": "L = 1\n"})
    real_open = open

    def guarded_open(path: Any, *args: Any, **kwargs: Any) -> Any:
        if str(path).endswith("locked.py"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(scan_mod, "open", guarded_open, raising=False)
    index, stats = await build(root)
    try:
        assert stats.files == 1
        assert stats.skipped == {"unreadable": 1}
        # Unreadable files are retried by the next build once they can be read.
        monkeypatch.undo()
        stats = await index.build()
        assert stats.files == 2 and stats.skipped == {}
    finally:
        await index.aclose()


def test_file_changing_during_every_read_is_skipped(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree({"busy.log": "line\n"})
    real = os.stat(root / "busy.log")

    def fstat(fd: int) -> types.SimpleNamespace:
        # After every read the mtime has moved on: someone is still writing.
        return types.SimpleNamespace(st_size=real.st_size, st_mtime_ns=real.st_mtime_ns + 1)

    fake_os = types.SimpleNamespace(stat=os.stat, fstat=fstat, path=os.path)
    monkeypatch.setattr(scan_mod, "os", fake_os)
    result = scan_file(str(root), "busy.log", 1 << 20, None)
    assert (result.status, result.reason) == ("skipped", "changed_during_read")


def test_scan_of_a_missing_file_is_vanished(tmp_path: Path) -> None:
    result = scan_file(str(tmp_path), "nope.py", 1 << 20, None)
    assert (result.status, result.reason) == ("skipped", "vanished")


def test_scan_of_a_directory_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "dir.py").mkdir()
    result = scan_file(str(tmp_path), "dir.py", 1 << 20, None)
    assert (result.status, result.reason) == ("skipped", "unreadable")


async def test_symlink_loops_are_counted_in_build_stats(tree: Tree) -> None:
    root = tree({"src/a.py": "A = 1\n"})
    (root / "src" / "loop").symlink_to(root / "src")
    index, stats = await build(root)
    try:
        assert stats.files == 1
        assert stats.skipped == {"symlink_loop": 1}
    finally:
        await index.aclose()


async def test_utf8_bom_and_empty_files_are_indexed(tree: Tree) -> None:
    root = tree({"bom.py": b"\xef\xbb\xbfdef with_bom():\n    pass\n", "empty.py": ""})
    index, stats = await build(root)
    try:
        assert stats.files == 2 and stats.skipped == {}
        [hit] = await index.find_symbol("with_bom")
        assert (hit.path, hit.line) == ("bom.py", 0)
        assert [h.path for h in await index.search("empty")] == ["empty.py"]
    finally:
        await index.aclose()
