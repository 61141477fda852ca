"""grep, glob and the index see the same files: there is one walk of the workspace.

The tree has what made the two former walkers disagree: `.ignore` files (the index read
them, the tools did not), nested ignore files with re-includes, hidden files, a VCS
directory other than `.git`, a symlinked folder inside the workspace and links leading
out of it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tether.index.workspace_index import WorkspaceIndex
from tether.tools.glob_files import GlobTool
from tether.tools.grep import GrepTool
from tether.workspace.folder import WorkspaceFolder

from .conftest import Harness

WAIT = 30.0  # a hang guard, not a timing assertion

TREE = {
    ".gitignore": "*.log\nbuild/\n",
    ".ignore": "generated/\n",
    "app.py": "x = 1\n",
    "debug.log": "x\n",
    ".env.example": "x\n",
    ".config/settings.toml": "x\n",
    "build/out.py": "x\n",
    "generated/api.py": "x\n",
    ".hg/store.py": "x\n",
    "src/.gitignore": "secret_*\n!keep.log\n",
    "src/.ignore": "*.tmp\n",
    "src/keep.log": "x\n",
    "src/main.py": "x\n",
    "src/secret_key.py": "x\n",
    "src/scratch.tmp": "x\n",
    "src/deep/.gitignore": "!secret_ok.py\n",
    "src/deep/secret_ok.py": "x\n",
    "src/deep/secret_no.py": "x\n",
    "src/deep/mod.py": "x\n",
}
EXPECTED = [
    ".config/settings.toml", ".env.example", ".gitignore", ".ignore", "app.py",
    "linked/mod.py", "src/.gitignore", "src/.ignore", "src/deep/.gitignore",
    "src/deep/mod.py", "src/deep/secret_ok.py", "src/keep.log", "src/main.py",
]


def _tree(ws: Harness, tmp_path: Path) -> None:
    for rel, text in TREE.items():
        ws.write(rel, text)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "leak.py").write_text("x\n")
    (ws.root / "linked").mkdir()
    (ws.root / "linked" / "mod.py").symlink_to(ws.root / "src" / "deep" / "mod.py")
    (ws.root / "src" / "alias").symlink_to(ws.root / "src" / "deep")  # walked once
    (ws.root / "out").symlink_to(outside)
    (ws.root / "leak.py").symlink_to(outside / "leak.py")


async def test_grep_glob_and_the_index_see_the_same_files(ws: Harness, tmp_path: Path) -> None:
    _tree(ws, tmp_path)
    globbed = await asyncio.wait_for(GlobTool().run({"pattern": "*"}, ws.ctx), WAIT)
    grepped = await asyncio.wait_for(
        GrepTool().run({"pattern": "."}, ws.ctx), WAIT)
    index = WorkspaceIndex(WorkspaceFolder.at(ws.root), cache_dir=tmp_path / "cache")
    try:
        await asyncio.wait_for(index.build(), WAIT)
        indexed = sorted(await index.match_paths("", 1000))
    finally:
        await index.aclose()
    assert sorted(globbed.content.split("\n")) == EXPECTED, globbed.content
    grep_files = {line.split(":", 1)[0] for line in grepped.content.split("\n") if ":" in line}
    assert sorted(grep_files) == EXPECTED, grepped.content
    assert indexed == EXPECTED
