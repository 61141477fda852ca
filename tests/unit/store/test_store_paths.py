"""Plain-language OSError translation and workspace folder naming."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from tether.errors import StoreError
from tether.store.paths import store_error, workspace_dir
from tether.workspace.folder import WorkspaceFolder


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "disk full"),
        (errno.EACCES, "permission denied"),
        (errno.EROFS, "read-only file system"),
        (errno.EDQUOT, "disk quota exceeded"),
        (errno.ELOOP, "Too many levels"),
    ],
)
def test_store_error_says_what_happened_where(code: int, words: str) -> None:
    error = store_error("write", Path("/data/s.jsonl"), OSError(code, "Too many levels of links"))
    assert isinstance(error, StoreError)
    assert error.message.startswith("cannot write history at /data/s.jsonl: ")
    assert words in error.message
    assert error.data == {"path": "/data/s.jsonl", "errno": code}


def test_workspace_dir_names(tmp_path: Path) -> None:
    root = tmp_path / "data"
    assert workspace_dir(WorkspaceFolder(Path("/")), root).name.startswith("root-")
    odd = workspace_dir(WorkspaceFolder(Path("/w/my app: v2 ☃")), root).name
    assert odd.startswith("my_app_v2-")
    one = workspace_dir(WorkspaceFolder(Path("/a/app")), root)
    two = workspace_dir(WorkspaceFolder(Path("/b/app")), root)
    assert one != two
    assert one.parent == root / "workspaces"
    assert workspace_dir(WorkspaceFolder(Path("/a/app")), root) == one  # stable
