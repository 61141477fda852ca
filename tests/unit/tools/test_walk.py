"""The glob matcher and the ignore rules used by glob and grep."""

from __future__ import annotations

from pathlib import Path

import pytest

from tether.tools.walk import glob_matcher, is_ignored, walk_files


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("*.py", "a.py", True),
        ("*.py", "src/deep/a.py", True),  # no "/" in the pattern: any depth
        ("/*.py", "src/a.py", False),  # leading "/" anchors to the top
        ("/*.py", "a.py", True),
        ("src/*.py", "src/a.py", True),
        ("src/*.py", "src/x/a.py", False),
        ("./src/*.py", "src/a.py", True),
        ("src/**/*.py", "src/a.py", True),
        ("src/**/*.py", "src/x/y/a.py", True),
        ("src/**", "src/x/y", True),
        ("**/test_*.py", "tests/unit/test_a.py", True),
        ("a?c.txt", "abc.txt", True),
        ("a?c.txt", "a/c.txt", False),
        ("*.{js,ts}", "web/app.ts", True),
        ("*.{js,ts}", "web/app.tsx", False),
        ("[ab]*.md", "b.md", True),
        ("[!ab]*.md", "b.md", False),
        ("[!ab]*.md", "c.md", True),
        ("file[.txt", "file[.txt", True),  # unclosed bracket is literal
        ("a+b(1).txt", "a+b(1).txt", True),  # regex characters are literal
    ],
)
def test_glob_matcher(pattern: str, path: str, matches: bool) -> None:
    assert bool(glob_matcher(pattern).match(path)) is matches


def test_walk_is_sorted_and_skips_git(tmp_path: Path) -> None:
    for rel in ("b.txt", "a/z.txt", "a/b.txt", ".git/HEAD", "c/.git/x"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    got = [p.relative_to(tmp_path).as_posix() for p in walk_files(tmp_path, tmp_path)]
    assert got == ["a/b.txt", "a/z.txt", "b.txt"]


def test_is_ignored(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("build/\n*.log\n")
    (tmp_path / "build" / "sub").mkdir(parents=True)
    (tmp_path / "src").mkdir()
    assert is_ignored(tmp_path, tmp_path / "build")
    assert is_ignored(tmp_path, tmp_path / "build" / "sub")
    assert is_ignored(tmp_path, tmp_path / "src" / "x.log")
    assert not is_ignored(tmp_path, tmp_path / "src")
    assert not is_ignored(tmp_path, tmp_path)
    assert is_ignored(tmp_path, tmp_path / ".git" / "config")


def test_unreadable_gitignore_is_skipped(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").mkdir()  # a folder named .gitignore cannot be read
    (tmp_path / "a.txt").write_text("")
    got = [p.name for p in walk_files(tmp_path, tmp_path)]
    assert got == ["a.txt"]
