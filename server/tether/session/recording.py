"""Recording a turn's edits: the editor bridge of one turn.

On a turn's first touch of a file its live text (open buffer first, disk second) goes to
the blob store; after each applied edit the agent's text goes there as a delta from it,
and the `file_edited` event names both blobs and the turn's hunk ids in the file. In
`ask` mode the edit is proposed first (the turn runner asks) and lands only if accepted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

from tether.errors import TetherError
from tether.session.changeset import FileChange, TurnChanges
from tether.workspace.bridge import (
    DocumentSnapshot,
    EditOutcome,
    EditTarget,
    FileEdit,
    PermissionAnswer,
    PermissionOption,
    PermissionRequest,
)
from tether.workspace.hunks import compute_hunks, encode_delta

if TYPE_CHECKING:
    from tether.session.changes import ChangeService

log = logging.getLogger(__name__)

EditAsker = Callable[[FileEdit], Awaitable[str | None]]  # None: go ahead; else why not
_INLINE_CHARS = 64 * 1024  # diffing less text than this costs less than a thread hop
_T = TypeVar("_T")


async def cpu(fn: Callable[..., _T], *args: Any) -> _T:
    """Text work on small files inline; on big ones in a worker thread (never the loop)."""
    if sum(len(a) for a in args if isinstance(a, str | bytes)) < _INLINE_CHARS:
        return fn(*args)
    return await asyncio.to_thread(fn, *args)



class EditRecord(TypedDict, total=False):
    """The change-set fields of a `file_edited` event (`FileEdited(**record, ...)`)."""

    path: str
    target: EditTarget | None
    before_blob: str | None
    after_blob: str | None
    created: bool
    restorable: bool
    hunk_ids: list[str]


class RecordingBridge:
    """The editor bridge of one turn: asks before edits (in `ask` mode), records them."""

    def __init__(self, service: ChangeService, session_id: str, turn: TurnChanges,
                 ask: EditAsker | None) -> None:
        self.service = service
        self.inner = service.bridge
        self.session_id = session_id
        self.turn = turn
        self.ask = ask
        self._before: dict[str, str] = {}  # the turn's before texts, by relative path
        self._fields: dict[Path, EditRecord] = {}

    async def read_document(self, path: Path) -> DocumentSnapshot:
        return await self.inner.read_document(path)

    async def request_permission(
        self, request: PermissionRequest
    ) -> PermissionOption | PermissionAnswer:
        return await self.inner.request_permission(request)

    def fields_for(self, path: Path) -> EditRecord:
        """The change-set fields of the `file_edited` event for `path`'s last edit."""
        return self._fields.pop(path, {})

    async def apply_edit(self, edit: FileEdit) -> EditOutcome:
        rel = self.service.folder.relative(edit.path)
        self._fields[edit.path] = {"path": rel}
        if self.ask is not None:
            refusal = await self.ask(edit)
            if refusal is not None:
                return EditOutcome(applied=False, message=refusal)
        async with self.service.edit_lock(rel):
            change = self.turn.files.get(rel)
            before = None if change is not None else await self.inner.read_document(edit.path)
            outcome = await self.inner.apply_edit(edit)
        if outcome.applied:
            try:
                change, after = await self._record(rel, change, before, outcome, edit)
                self._fields[edit.path] = await self._event_fields(change, after, outcome)
            except TetherError as exc:  # the edit landed; only its undo is lost
                log.warning("cannot record the change to %s: %s", rel, exc.message)
        else:
            self._fields[edit.path]["target"] = outcome.target
        return outcome

    async def _record(self, rel: str, change: FileChange | None,
                      before: DocumentSnapshot | None, outcome: EditOutcome,
                      edit: FileEdit) -> tuple[FileChange, str]:
        service = self.service
        if change is None:
            assert before is not None
            data = before.text.encode("utf-8", "surrogatepass")
            restorable = service.blobs is not None and len(data) <= service.max_blob_bytes()
            digest = await service.put(self.session_id, data) \
                if restorable and before.exists else None
            change = FileChange(path=rel, before_blob=digest, after_blob=None,
                                created=not before.exists, restorable=restorable)
            self.turn.files[rel] = change
            self._before[rel] = before.text if before.exists else ""
        after = outcome.final_text if outcome.final_text is not None else edit.new_text
        if change.restorable:
            delta = await cpu(encode_delta, self._before[rel], after)
            change.after_blob = await service.put(self.session_id, delta)
        return change, after

    async def _event_fields(self, change: FileChange, after: str,
                            outcome: EditOutcome) -> EditRecord:
        fields: EditRecord = {
            "path": change.path, "target": outcome.target, "before_blob": change.before_blob,
            "after_blob": change.after_blob, "created": change.created,
            "restorable": change.restorable,
        }
        if change.restorable:
            hunks = await cpu(compute_hunks, change.path,
                                            self._before[change.path], after)
            fields["hunk_ids"] = [h.id for h in hunks]
        return fields
