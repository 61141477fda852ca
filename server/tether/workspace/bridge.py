"""What the agent needs from the editor, as a protocol the LSP layer and the CLI implement.

`session/` and `tools/` never import pygls: they read live text, apply edits and ask
permission through an `EditorBridge`. The LSP bridge reads the document overlay and sends
`workspace/applyEdit`; the CLI bridge reads and writes the disk and asks on the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

PermissionOption = Literal["allow_once", "allow_always", "reject"]
EditTarget = Literal["buffer", "disk"]


@dataclass(frozen=True)
class DocumentSnapshot:
    """The text of a file as the agent saw it: the live buffer when open, disk otherwise."""

    path: Path
    text: str
    version: int | None  # the editor's document version; None when read from disk
    exists: bool = True  # False for a file that does not exist yet (text is "")


@dataclass(frozen=True)
class FileEdit:
    """A whole-file edit computed against `base`: the 3-way rebase needs all three texts."""

    path: Path
    base: DocumentSnapshot  # what the agent read
    new_text: str  # what the agent wants the file to be
    diff: str  # unified diff base.text → new_text, for events and review


@dataclass(frozen=True)
class EditOutcome:
    applied: bool
    message: str = ""  # why not, when not applied; a note when rebased
    rebased: bool = False
    final_text: str | None = None  # the file's text after the edit, when applied
    target: EditTarget | None = None  # where it landed: an editor buffer or the disk


@dataclass(frozen=True)
class PermissionRequest:
    session_id: str
    tool_call_id: str
    tool: str
    description: str
    diff: str | None = None
    options: tuple[PermissionOption, ...] = field(
        default=("allow_once", "allow_always", "reject")
    )


@dataclass(frozen=True)
class PermissionAnswer:
    """An answer with the words the user gave with it (a rejection's reason)."""

    option: PermissionOption
    comment: str | None = None


def answer_of(value: PermissionOption | PermissionAnswer) -> PermissionAnswer:
    """Bridges may answer with a bare option or a PermissionAnswer: one shape for callers."""
    return value if isinstance(value, PermissionAnswer) else PermissionAnswer(value)


class EditorBridge(Protocol):
    async def read_document(self, path: Path) -> DocumentSnapshot:
        """Live text of `path` (open buffer first, disk second); exists=False if neither."""
        ...

    async def apply_edit(self, edit: FileEdit) -> EditOutcome:
        """Apply `edit`, rebasing onto newer text or refusing; never clobber a dirty buffer."""
        ...

    async def request_permission(
        self, request: PermissionRequest
    ) -> PermissionOption | PermissionAnswer:
        """Ask the user; return what they chose (with their comment, when they gave one)."""
        ...
