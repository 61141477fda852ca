"""A folder swapped for a symlink to the outside mid-turn never lets a tool out.

A thread keeps swapping `sub/` between the real folder and a symlink to a secret folder
outside the workspace while the tools read and write below it. Each call may fail (the
path is outside, or it changed while being opened), but none may read the secret or
write outside. A bounded loop, not a timing test.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tether.tools.edit import EditTool
from tether.tools.grep import GrepTool
from tether.tools.read_file import ReadFileTool
from tether.tools.write_file import WriteFileTool

from .conftest import Harness

ROUNDS = 300
SECRET = "TOPSECRET outside the workspace\n"


@pytest.fixture
def swapping(ws: Harness, tmp_path: Path) -> Iterator[Path]:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "file.txt").write_text(SECRET)
    ws.write("sub/file.txt", "inside\n")
    sub, held, link = ws.root / "sub", ws.root / ".held", ws.root / ".link"
    stop = threading.Event()

    def swap() -> None:
        pause = 0.0
        while not stop.is_set():
            pause = (pause + 0.00013) % 0.0007  # vary how long each state lasts
            try:
                os.symlink(outside, link)
                os.rename(sub, held)
                os.rename(link, sub)  # sub/ is now a symlink to the outside
                stop.wait(pause)
                os.rename(sub, link)
                os.rename(held, sub)  # and the real folder again
                os.unlink(link)
                stop.wait(pause)
            except OSError:
                pass

    thread = threading.Thread(target=swap, daemon=True)
    thread.start()
    try:
        yield outside
    finally:
        stop.set()
        thread.join()


async def test_reads_never_see_outside(ws: Harness, swapping: Path) -> None:
    escapes = 0
    for _ in range(ROUNDS):
        for tool, args in (
            (ReadFileTool(), {"path": "sub/file.txt"}),
            (GrepTool(), {"pattern": "TOP.ECRET", "path": "sub/file.txt"}),
            (GrepTool(), {"pattern": "TOP.ECRET", "path": "sub"}),
        ):
            outcome = await tool.run(args, ws.ctx)
            escapes += "TOPSECRET" in outcome.content
    assert escapes == 0


async def test_writes_never_land_outside(ws: Harness, swapping: Path) -> None:
    for i in range(ROUNDS):
        await WriteFileTool().run({"path": f"sub/new-{i}.txt", "content": f"{i}\n"}, ws.ctx)
        await WriteFileTool().run({"path": "sub/file.txt", "content": f"inside {i}\n"}, ws.ctx)
        await EditTool().run({"path": "sub/file.txt", "old": "inside", "new": "inside"
                              + "!"}, ws.ctx)
    assert sorted(p.name for p in swapping.iterdir()) == ["file.txt"]
    assert (swapping / "file.txt").read_text() == SECRET
