"""A tmp_path workspace, a ToolContext over it and a bridge that records what it was sent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tether.tools.base import ToolContext
from tether.workspace.bridge import (
    DocumentSnapshot,
    EditOutcome,
    FileEdit,
    PermissionOption,
    PermissionRequest,
)
from tether.workspace.disk_bridge import DiskBridge
from tether.workspace.folder import WorkspaceFolder


@dataclass
class RecordingBridge:
    """DiskBridge plus open "buffers" whose text differs from disk, and a log of edits."""

    disk: DiskBridge = field(default_factory=DiskBridge)
    buffers: dict[Path, str] = field(default_factory=dict)
    edits: list[FileEdit] = field(default_factory=list)
    refuse: str | None = None  # when set, apply_edit refuses with this message

    async def read_document(self, path: Path) -> DocumentSnapshot:
        if path in self.buffers:
            return DocumentSnapshot(path, self.buffers[path], version=7)
        return await self.disk.read_document(path)

    async def apply_edit(self, edit: FileEdit) -> EditOutcome:
        self.edits.append(edit)
        if self.refuse:
            return EditOutcome(applied=False, message=self.refuse)
        if edit.path in self.buffers:
            self.buffers[edit.path] = edit.new_text
            return EditOutcome(applied=True, final_text=edit.new_text)
        return await self.disk.apply_edit(edit)

    async def request_permission(self, request: PermissionRequest) -> PermissionOption:
        return "allow_once"


@dataclass
class Harness:
    root: Path
    ctx: ToolContext
    bridge: RecordingBridge
    output: list[str]

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
        return path


@pytest.fixture
def ws(tmp_path: Path) -> Harness:
    root = tmp_path / "ws"
    root.mkdir()
    bridge = RecordingBridge()
    output: list[str] = []

    async def emit(chunk: str) -> None:
        output.append(chunk)

    ctx = ToolContext(
        workspace=WorkspaceFolder.at(root),
        bridge=bridge,
        session_id="s1",
        tool_call_id="call1",
        emit_output=emit,
        command_timeout=30.0,
    )
    return Harness(root.resolve(), ctx, bridge, output)


WriteFn = Callable[[str, str], Path]
