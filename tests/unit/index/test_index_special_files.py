"""The index never opens a FIFO or a device: not in the walk, the scan or a rescan.

The walk already counts them as special files; these are the ways around it: an ignore
file that is a FIFO, and a path reported changed (watcher, agent edit) that is a FIFO
or a character device by the time it is read.
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from tether.index.scan import scan_file
from tether.index.walk import IgnoreRules, rescan, walk
from tether.index.workspace_index import WorkspaceIndex
from tether.workspace.folder import WorkspaceFolder

Tree = Callable[[dict[str, str | bytes]], Path]
WAIT = 20.0  # a hang guard, not a timing assertion


def _chardev(path: Path) -> None:
    try:
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 5))  # what /dev/zero is
    except PermissionError:
        pytest.skip("creating a character device needs CAP_MKNOD")


def test_a_fifo_ignore_file_does_not_hang_the_walk(tree: Tree) -> None:
    root = tree({"a.py": "x = 1\n", "sub/b.py": "y = 2\n"})
    os.mkfifo(root / ".gitignore")
    os.mkfifo(root / "sub" / ".ignore")
    result = walk(root)
    assert [p for p, _, _ in result.files] == ["a.py", "sub/b.py"]
    assert IgnoreRules(root).is_ignored("sub/b.py") is False


@pytest.mark.parametrize("kind", ["fifo", "chardev"])
def test_scan_and_rescan_skip_special_files(tree: Tree, kind: str) -> None:
    root = tree({"a.py": "x = 1\n"})
    path = root / "dev.py"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        _chardev(path)
    direct = scan_file(str(root), "dev.py", 1024 * 1024, None)
    assert (direct.status, direct.reason) == ("skipped", "special_file")
    folder = WorkspaceFolder.at(root)
    [again] = rescan(folder, IgnoreRules(root), ["dev.py"], 1024 * 1024)
    assert (again.status, again.reason) == ("skipped", "special_file")


async def test_index_build_and_refresh_with_special_files(tree: Tree) -> None:
    root = tree({"a.py": "def alpha():\n    pass\n"})
    os.mkfifo(root / "pipe.py")
    os.mkfifo(root / ".gitignore")
    _chardev(root / "zero.py")
    index = WorkspaceIndex(WorkspaceFolder.at(root))
    try:
        await asyncio.wait_for(index.build(), WAIT)
        await asyncio.wait_for(index.refresh_paths([root / "pipe.py", root / "zero.py"]), WAIT)
        hits = await index.find_symbol("alpha")
        assert [h.path for h in hits] == ["a.py"]
    finally:
        await index.aclose()
