"""Every tool refuses paths outside the workspace with an error outcome, never a raise."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tether.tools import builtin_tools
from tether.tools.base import Tool

from .conftest import Harness

PATH_TOOLS: list[tuple[str, dict[str, Any]]] = [
    ("read_file", {}),
    ("list_dir", {}),
    ("glob", {"pattern": "*"}),
    ("grep", {"pattern": "x"}),
    ("edit", {"old": "a", "new": "b"}),
    ("write_file", {"content": "pwned\n"}),
]


def tool(name: str) -> Tool:
    return next(t for t in builtin_tools() if t.name == name)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "key.txt").write_text("a secret\n")
    return secret


@pytest.mark.parametrize(("name", "extra"), PATH_TOOLS)
@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlink_dir", "symlink_file"])
async def test_escape_is_refused(
    ws: Harness, outside: Path, name: str, extra: dict[str, Any], kind: str
) -> None:
    if kind == "dotdot":
        path = "../secret/key.txt" if name not in ("list_dir", "glob", "grep") else "../secret"
    elif kind == "absolute":
        path = str(outside / "key.txt") if name not in ("list_dir", "glob") else str(outside)
    elif kind == "symlink_dir":
        (ws.root / "link").symlink_to(outside)
        path = "link/key.txt" if name not in ("list_dir", "glob", "grep") else "link"
    else:
        (ws.root / "key-link.txt").symlink_to(outside / "key.txt")
        path = "key-link.txt"
    outcome = await tool(name).run({"path": path, **extra}, ws.ctx)
    assert outcome.is_error
    assert outcome.content.startswith(f"path {path} is outside the workspace")
    assert (outside / "key.txt").read_text() == "a secret\n"
    assert ws.bridge.edits == []


async def test_symlink_loop_is_an_error_outcome(ws: Harness) -> None:
    os.symlink(ws.root / "loop-b", ws.root / "loop-a")
    os.symlink(ws.root / "loop-a", ws.root / "loop-b")
    for name in ("read_file", "edit", "write_file", "list_dir"):
        extra = dict(PATH_TOOLS)[name]
        outcome = await tool(name).run({"path": "loop-a", **extra}, ws.ctx)
        assert outcome.is_error, name
    outcome = await tool("read_file").run({"path": "loop-a"}, ws.ctx)
    assert "symbolic links" in outcome.content or "outside" in outcome.content


async def test_walk_tools_skip_symlink_loops_and_outside_links(ws: Harness, outside: Path) -> None:
    ws.write("inside.txt", "needle\n")
    (ws.root / "out").symlink_to(outside)
    (ws.root / "out-file.txt").symlink_to(outside / "key.txt")
    (ws.root / "self").symlink_to(ws.root)
    os.symlink(ws.root / "l2", ws.root / "l1")
    os.symlink(ws.root / "l1", ws.root / "l2")
    grep = await tool("grep").run({"pattern": "secret|needle"}, ws.ctx)
    assert grep.content == "inside.txt:1:needle"
    found = await tool("glob").run({"pattern": "**/*"}, ws.ctx)
    assert found.content == "inside.txt"


async def test_inside_symlink_is_fine(ws: Harness) -> None:
    ws.write("real/a.txt", "hello\n")
    (ws.root / "alias").symlink_to(ws.root / "real")
    outcome = await tool("read_file").run({"path": "alias/a.txt"}, ws.ctx)
    assert not outcome.is_error and outcome.content.endswith("│hello")


async def test_absolute_path_inside_is_fine(ws: Harness) -> None:
    ws.write("a.txt", "x\n")
    outcome = await tool("read_file").run({"path": str(ws.root / "a.txt")}, ws.ctx)
    assert not outcome.is_error
