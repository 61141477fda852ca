"""The walk: ignore rules at every level, VCS dirs, symlinks, special files."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tether.index.walk import IgnoreRules, walk

Tree = Callable[[dict[str, str | bytes]], Path]


def paths(root: Path) -> list[str]:
    return [p for p, _, _ in walk(root).files]


def test_gitignore_dirs_files_and_negation(tree: Tree) -> None:
    root = tree({
        ".gitignore": "build/\n*.log\n!keep.log\n/top_only.txt\n",
        "src/a.py": "x = 1\n",
        "src/debug.log": "noise\n",
        "src/keep.log": "kept\n",
        "build/out.py": "generated\n",
        "top_only.txt": "ignored at the top\n",
        "src/top_only.txt": "kept below\n",
    })
    assert paths(root) == [".gitignore", "src/a.py", "src/keep.log", "src/top_only.txt"]


def test_nested_gitignore_and_dot_ignore_take_precedence(tree: Tree) -> None:
    root = tree({
        ".gitignore": "*.gen\n",
        "pkg/.gitignore": "!special.gen\nlocal/\n",
        "pkg/special.gen": "re-included by the deeper file\n",
        "pkg/other.gen": "still ignored\n",
        "pkg/local/x.py": "ignored dir\n",
        "lib/.ignore": "secret.py\n",
        "lib/secret.py": "ignored by .ignore\n",
        "lib/open.py": "kept\n",
    })
    assert paths(root) == [
        ".gitignore", "lib/.ignore", "lib/open.py", "pkg/.gitignore", "pkg/special.gen",
    ]


def test_git_dir_skipped_and_info_exclude_applies(tree: Tree) -> None:
    root = tree({
        ".git/HEAD": "ref: refs/heads/main\n",
        ".git/info/exclude": "private.txt\n",
        "private.txt": "excluded by .git/info/exclude\n",
        "main.py": "print()\n",
    })
    assert paths(root) == ["main.py"]


def test_global_excludes_from_git_config(tree: Tree, tmp_path: Path) -> None:
    excludes = tmp_path / "my-excludes"
    excludes.write_text("*.swp\n")
    subprocess.run(
        ["git", "config", "--global", "core.excludesFile", str(excludes)], check=True,
    )
    root = tree({"a.py": "x\n", "a.py.swp": "swap\n"})
    assert paths(root) == ["a.py"]


def test_global_excludes_default_location(tree: Tree) -> None:
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "git"
    config.mkdir(parents=True)
    (config / "ignore").write_text(".DS_Store\n")
    root = tree({"a.py": "x\n", ".DS_Store": "mac\n"})
    assert paths(root) == ["a.py"]


def test_symlink_loop_is_skipped_and_counted(tree: Tree) -> None:
    root = tree({"pkg/a.py": "x\n"})
    (root / "pkg" / "again").symlink_to(root)
    (root / "self").symlink_to(".")
    result = walk(root)
    assert [p for p, _, _ in result.files] == ["pkg/a.py"]
    assert result.skipped["symlink_loop"] == 2


def test_symlinks_outside_and_broken_are_counted(tree: Tree, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("x\n")
    root = tree({"a.py": "x\n", "lib/b.py": "y\n"})
    (root / "out").symlink_to(outside)
    (root / "out_file.py").symlink_to(outside / "secret.py")
    (root / "dangling.py").symlink_to(root / "missing.py")
    (root / "alias").symlink_to(root / "lib")
    result = walk(root)
    files = [p for p, _, _ in result.files]
    assert "out/secret.py" not in files and "out_file.py" not in files
    assert result.skipped["outside_workspace"] == 2
    assert result.skipped["broken_symlink"] == 1
    # A link to a directory inside the folder is followed once (or counted as a duplicate).
    assert ("alias/b.py" in files) != ("lib/b.py" in files) or result.skipped[
        "symlink_duplicate"] == 1


def test_special_files_are_not_read(tree: Tree) -> None:
    root = tree({"a.py": "x\n"})
    os.mkfifo(root / "pipe")
    result = walk(root)
    assert [p for p, _, _ in result.files] == ["a.py"]
    assert result.skipped["special_file"] == 1


def test_walk_reports_size_and_mtime(tree: Tree) -> None:
    root = tree({"a.py": "12345"})
    [(path, size, mtime_ns)] = walk(root).files
    assert (path, size) == ("a.py", 5)
    assert mtime_ns == (root / "a.py").stat().st_mtime_ns


@pytest.mark.parametrize(
    ("rel", "ignored"),
    [("build/x.py", True), ("src/x.log", True), ("src/keep.log", False), ("src/a.py", False),
     (".git/config", True)],
)
def test_single_path_checks_match_the_walk(tree: Tree, rel: str, ignored: bool) -> None:
    root = tree({".gitignore": "build/\n*.log\n!keep.log\n"})
    assert IgnoreRules(root).is_ignored(rel) is ignored


def test_malformed_gitignore_does_not_stop_the_walk(tree: Tree) -> None:
    root = tree({".gitignore": b"\xff\xfe[\n[z-a]\n\\\n", "a.py": "x\n"})
    assert "a.py" in paths(root)
