"""Recording a turn's edits: the editor bridge of one turn.

On a turn's first touch of a file its live text (open buffer first, disk second) goes to
the blob store; after each applied edit the agent's text goes there as a delta from it,
and the `file_edited` event names both blobs and the turn's hunk ids in the file. What
the user typed between two edits of the turn is folded into the turn's before text (a
new blob, only then), so the turn's change stays the agent's alone and undoing it keeps
the typing. In `ask` mode the edit is proposed first (the turn runner asks) and lands
only if accepted.
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
from tether.workspace.rebase import rebase

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
        self._after: dict[str, str] = {}  # the agent's latest texts, by relative path
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
            live = await self.inner.read_document(edit.path)
            outcome = await self.inner.apply_edit(edit)
        if outcome.applied:
            try:
                folded = None if change is None else await self._fold_typing(change, live)
                change, after = await self._record(rel, change, live, outcome, edit, folded)
                self._fields[edit.path] = await self._event_fields(change, after, outcome)
            except TetherError as exc:  # the edit landed; only its undo is lost
                log.warning("cannot record the change to %s: %s", rel, exc.message)
        else:
            self._fields[edit.path]["target"] = outcome.target
        return outcome

    async def _fold_typing(self, change: FileChange,
                           live: DocumentSnapshot) -> tuple[str | None, str] | None:
        """What the user typed since the turn's last edit of the file (the agent's text →
        `live`), replayed onto the turn's before text: the typing is then no part of the
        turn's change. Typing that touches the agent's lines stays in it (as before)."""
        rel = change.path
        last = self._after.get(rel)
        if (last is None or not live.exists or live.text == last or change.created
                or not change.restorable):
            return None
        merged = await cpu(rebase, last, self._before[rel], live.text)
        if not merged.ok or merged.text is None:
            return None
        data = merged.text.encode("utf-8", "surrogatepass")
        if len(data) > self.service.max_blob_bytes():
            return None
        return await self.service.put(self.session_id, data), merged.text

    async def _record(self, rel: str, change: FileChange | None,
                      before: DocumentSnapshot, outcome: EditOutcome, edit: FileEdit,
                      folded: tuple[str | None, str] | None = None) -> tuple[FileChange, str]:
        """The edit into the change set; `folded`: the turn's new before (blob, text)."""
        service = self.service
        if change is None:
            data = before.text.encode("utf-8", "surrogatepass")
            restorable = service.blobs is not None and len(data) <= service.max_blob_bytes()
            digest = await service.put(self.session_id, data) \
                if restorable and before.exists else None
            change = FileChange(path=rel, before_blob=digest, after_blob=None,
                                created=not before.exists, restorable=restorable)
            self.turn.files[rel] = change
            self._before[rel] = before.text if before.exists else ""
        after = outcome.final_text if outcome.final_text is not None else edit.new_text
        self._after[rel] = after
        if change.restorable:
            base = self._before[rel] if folded is None else folded[1]
            delta = await cpu(encode_delta, base, after)
            change.after_blob = await service.put(self.session_id, delta)
            if folded is not None:  # only now: the delta is from this before
                change.before_blob, self._before[rel] = folded
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
