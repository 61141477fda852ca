"""Files-first search: one entry per file with its best lines, and what git history adds."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from tether.index import WorkspaceIndex
from tether.workspace.folder import WorkspaceFolder

Files = dict[str, str | bytes]
Tree = Callable[[Files], Path]


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=T", "-c", "user.email=t@example.com",
         *args], capture_output=True, text=True, check=True,
    ).stdout


def commit(root: Path, files: dict[str, str], message: str) -> str:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


async def built(root: Path) -> WorkspaceIndex:
    index = WorkspaceIndex(WorkspaceFolder.at(root))
    await index.build()
    await index.history_ready()
    return index


async def test_files_first_each_once_with_lines_best_first(project: WorkspaceIndex) -> None:
    files = await project.search_files("user account display name")
    paths = [f.path for f in files]
    assert len(paths) == len(set(paths))
    assert paths[0] == "app/models.py"
    assert [f.score for f in files] == sorted((f.score for f in files), reverse=True)
    assert files[0].lines and files[0].lines[0].line in (0, 1)
    assert [h.score for h in files[0].lines] == sorted(
        (h.score for h in files[0].lines), reverse=True)
    assert await project.search_files("the of and") == []  # filler words only
    assert len(await project.search_files("user", limit=1)) == 1


async def test_a_named_definition_is_the_files_first_line(project: WorkspaceIndex) -> None:
    [best, *_] = await project.search_files("format_name")
    assert (best.path, best.lines[0].line, best.lines[0].symbol) == (
        "app/models.py", 4, "format_name")


async def test_past_commit_messages_lead_to_the_file(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    plain = "def step(a):\n    return a + 1\n"
    commit(root, {"net/link.py": plain, "ui/view.py": plain, "db/store.py": plain}, "start")
    for n in range(3):
        commit(root, {"net/link.py": plain + f"# {n}\n"},
               f"Reconnect after the peer drops the socket ({n})")
    index = await built(root)
    try:
        files = await index.search_files("socket dropped by the peer")
        assert files and files[0].path == "net/link.py"  # its text says none of these words
    finally:
        await index.aclose()


async def test_only_history_reachable_from_head_counts(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    plain = "def step(a):\n    return a + 1\n"
    first = commit(root, {"a.py": plain, "b.py": plain}, "start")
    commit(root, {"b.py": plain + "# x\n"}, "teach the quokka protocol")
    index = await built(root)
    try:
        assert (await index.search_files("quokka"))[0].path == "b.py"
        git(root, "checkout", "-q", "--detach", first)
        await index.build()
        await index.history_ready()
        assert await index.search_files("quokka") == []  # a later commit: not in this tree
    finally:
        await index.aclose()


async def test_without_git_search_still_answers(tree: Tree, project_files: Files) -> None:
    index = await built(tree(project_files))
    try:
        assert await index.history_ready() is None
        assert (await index.search_files("format_name"))[0].path == "app/models.py"
    finally:
        await index.aclose()


async def test_code_ranks_above_prose_and_tests_that_say_as_much(tree: Tree) -> None:
    text = "# retry with backoff and jitter\n"
    root = tree({"docs/guide.md": text, "tests/test_client.py": text,
                 "net/client.py": "def send(attempt):\n    " + text})
    index = await built(root)
    try:
        files = await index.search_files("retry backoff jitter")
        assert [f.path for f in files] == ["net/client.py", "tests/test_client.py",
                                           "docs/guide.md"]
    finally:
        await index.aclose()
