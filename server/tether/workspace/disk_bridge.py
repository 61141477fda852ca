"""An `EditorBridge` without an editor: the disk, and the terminal for permissions.

Used by the CLI and by tests. It keeps the editor bridge's promise of never clobbering:
before writing, it re-reads the file; if the disk no longer holds what the agent read,
the agent's edit is rebased (3-way) onto the new text or refused with a clear message.
Writes are atomic (a temp file in the same directory, then `os.replace`) and keep the
file's mode, so a crash never leaves half a file; reads and writes go through
`safe_open` (no symlink followed after the path check, regular files only, size-capped).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO

from tether.errors import ToolError
from tether.workspace import safe_open
from tether.workspace.bridge import (
    DocumentSnapshot,
    EditOutcome,
    FileEdit,
    PermissionOption,
    PermissionRequest,
)
from tether.workspace.edit_plan import Refuse, plan_edit
from tether.workspace.safe_open import HARD_MAX_FILE_BYTES

log = logging.getLogger(__name__)

Asker = Callable[[PermissionRequest], Awaitable[PermissionOption]]

_ANSWERS: dict[str, PermissionOption] = {
    "y": "allow_once",
    "yes": "allow_once",
    "a": "allow_always",
    "always": "allow_always",
    "n": "reject",
    "no": "reject",
    "": "reject",
}


def read_text(path: Path, *, max_bytes: int = HARD_MAX_FILE_BYTES) -> str | None:
    """The UTF-8 text of `path` exactly as stored (CRLF kept); None when it does not exist.

    `path` is canonical and already checked to be inside the workspace; it is opened
    without following symlinks (safe_open), only if it is a regular file of at most
    `max_bytes`, else a ToolError that says why.
    """
    try:
        data = safe_open.read_bytes(path, max_bytes=max_bytes)
    except FileNotFoundError:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ToolError(
            f"{path} is not UTF-8 text (binary file?)", data={"path": str(path)}
        ) from None


def write_atomic(path: Path, text: str, *, max_bytes: int = HARD_MAX_FILE_BYTES) -> None:
    """Replace `path` with `text` in one step, keeping its mode; creates parent folders.

    Race-free against symlink swaps: see safe_open.write_atomic.
    """
    safe_open.write_atomic(path, text.encode("utf-8"), max_bytes=max_bytes)


class DiskBridge:
    """Reads and writes the disk; asks permission through `asker` (the terminal by default).

    Paths are canonical (the tools resolve and check them); one that has a symlink in it
    by the time it is opened is refused rather than followed (see safe_open).
    """

    def __init__(self, *, asker: Asker | None = None, auto_approve: bool = False) -> None:
        self._asker: Asker = asker or terminal_asker
        self.auto_approve = auto_approve

    async def read_document(self, path: Path) -> DocumentSnapshot:
        text = await asyncio.to_thread(read_text, path)
        if text is None:
            return DocumentSnapshot(path=path, text="", version=None, exists=False)
        return DocumentSnapshot(path=path, text=text, version=None, exists=True)

    async def apply_edit(self, edit: FileEdit) -> EditOutcome:
        return await asyncio.to_thread(self._apply, edit)

    async def request_permission(self, request: PermissionRequest) -> PermissionOption:
        if self.auto_approve:
            return "allow_once"
        return await self._asker(request)

    def _apply(self, edit: FileEdit) -> EditOutcome:
        # the tools resolved symlinks and checked the path; resolving it again here would
        # follow a symlink swapped in since, so a path with a symlink in it is refused
        path = edit.path
        name = edit.path.name
        try:
            current = read_text(path)
        except ToolError as exc:
            return EditOutcome(applied=False, message=f"not applied: {exc.message}")
        plan = plan_edit(edit.base, current, edit.new_text)
        if isinstance(plan, Refuse):
            return EditOutcome(applied=False, message=plan.message(name, "on disk"))
        if not plan.unchanged:
            try:
                write_atomic(path, plan.text)
            except ToolError as exc:
                return EditOutcome(applied=False, message=f"not applied: {exc.message}")
            except OSError as exc:
                return EditOutcome(applied=False,
                                   message=f"not applied: cannot write {name}: {exc}")
        return EditOutcome(applied=True, message=plan.note(name, "on disk"),
                           rebased=plan.rebased, final_text=plan.text, target="disk")


async def terminal_asker(
    request: PermissionRequest,
    *,
    stdin: TextIO | None = None,
    stderr: TextIO | None = None,
) -> PermissionOption:
    """Ask on stderr, read the answer from stdin; a non-interactive stdin means "reject"."""
    inp = stdin or sys.stdin
    out = stderr or sys.stderr
    if inp is None or not inp.isatty():
        log.info("permission for %s rejected: stdin is not a terminal (use --yes)", request.tool)
        return "reject"
    if request.diff:
        out.write(request.diff if request.diff.endswith("\n") else request.diff + "\n")
    choices = {"allow_once": "[y]es", "allow_always": "[a]lways", "reject": "[N]o"}
    menu = " / ".join(choices[o] for o in request.options if o in choices)
    while True:
        out.write(f"tether: {request.description} — allow? {menu}: ")
        out.flush()
        line = await asyncio.to_thread(inp.readline)
        if not line:  # EOF
            return "reject"
        answer = _ANSWERS.get(line.strip().lower())
        if answer is not None and (answer in request.options or answer == "reject"):
            return answer
        out.write("please answer y, a or n\n")
