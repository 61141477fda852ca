"""The one rule about paths, as both editor bridges and the tools ask it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tether.errors import PathOutsideWorkspaceError
from tether.workspace.folder import WorkspaceFolder


@pytest.fixture
def folder(tmp_path: Path) -> WorkspaceFolder:
    (tmp_path / "ws" / "src").mkdir(parents=True)
    (tmp_path / "outside.txt").write_text("secret\n")
    (tmp_path / "ws" / "escape").symlink_to(tmp_path / "outside.txt")
    return WorkspaceFolder.at(tmp_path / "ws")


def test_a_path_inside_comes_back_canonical(folder: WorkspaceFolder) -> None:
    assert folder.inside(folder.root / "src" / ".." / "a.py") == folder.root / "a.py"
    assert folder.resolve("src/b.py") == folder.root / "src" / "b.py"


@pytest.mark.parametrize("given", ["../outside.txt", "escape"])
def test_a_path_out_is_refused_naming_what_was_given(folder: WorkspaceFolder,
                                                      given: str) -> None:
    for ask in (lambda: folder.resolve(given), lambda: folder.inside(folder.root / given)):
        with pytest.raises(PathOutsideWorkspaceError) as err:
            ask()
        assert err.value.data["workspace"] == str(folder.root)
        assert err.value.data["path"].endswith(given)
        assert "is outside the workspace folder" in err.value.message
