"""Attachments (active file, `extraFileUris`) only read regular files within the cap.

A FIFO would hang the prompt before the model is even called, a device or a sparse
1 GB file would be read into memory whole. Each is left out with a note the model and
the user can read, naming why; the prompt goes on.
"""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from support.session_fakes import text_step
from tether.protocol.methods import PromptContext
from tether.workspace.folder import WorkspaceFolder, path_to_uri

WAIT = 20.0  # a hang guard, not a timing assertion


def _chardev(path: Path) -> None:
    try:
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 5))  # what /dev/zero is
    except PermissionError:
        pytest.skip("creating a character device needs CAP_MKNOD")


async def _attach(make_harness: Any, uris: list[str], **settings: Any) -> list[Any]:
    h = make_harness([text_step("ok")], **settings)
    info = await h.manager.create()
    ctx = PromptContext.model_validate({"extraFileUris": uris})
    result = await asyncio.wait_for(h.manager.prompt(info.id, "look", ctx), WAIT)
    assert result.status == "completed"
    return list(h.provider.requests[0].messages[0].parts)


async def test_special_and_huge_files_are_left_out_with_a_note(
    make_harness: Any, workspace: WorkspaceFolder
) -> None:
    root = workspace.root
    os.mkfifo(root / "pipe")
    _chardev(root / "zero")
    with (root / "huge.bin").open("wb") as fh:
        fh.truncate(1024 ** 3)  # sparse: no real disk use
    uris = [path_to_uri(root / name) for name in ("pipe", "zero", "huge.bin", "hello.py")]
    parts = await _attach(make_harness, uris)
    files = [p for p in parts if p.type == "file"]
    assert [Path(p.uri).name for p in files] == ["hello.py"]
    assert files[0].text.startswith("def greet")
    notes = "\n".join(p.text for p in parts if p.type == "text")
    assert "pipe not attached: " in notes and "a FIFO (named pipe), not a regular file" in notes
    assert "zero not attached: " in notes and "a character device" in notes
    assert "huge.bin not attached: " in notes
    assert "1 GiB, over the 10 MiB file size cap (setting maxFileBytes)" in notes


async def test_the_cap_is_the_setting(make_harness: Any, workspace: WorkspaceFolder) -> None:
    (workspace.root / "mid.txt").write_text("x" * 5000)
    parts = await _attach(make_harness, [path_to_uri(workspace.root / "mid.txt")],
                          max_file_bytes=4096)
    assert not [p for p in parts if p.type == "file"]
    notes = "\n".join(p.text for p in parts if p.type == "text")
    assert "over the 4 KiB file size cap (setting maxFileBytes)" in notes


async def test_active_file_selection_from_a_fifo_is_left_out(
    make_harness: Any, workspace: WorkspaceFolder
) -> None:
    os.mkfifo(workspace.root / "pipe")
    h = make_harness([text_step("ok")])
    info = await h.manager.create()
    ctx = PromptContext.model_validate({
        "activeFileUri": path_to_uri(workspace.root / "pipe"),
        "selection": {"start": {"line": 0, "character": 0}, "end": {"line": 2, "character": 0}},
    })
    result = await asyncio.wait_for(h.manager.prompt(info.id, "explain", ctx), WAIT)
    assert result.status == "completed"
    parts = h.provider.requests[0].messages[0].parts
    assert not [p for p in parts if p.type == "file"]
    assert any("not a regular file" in p.text for p in parts if p.type == "text")
