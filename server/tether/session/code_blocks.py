"""Apply a chat code block to a file through the agent's edit path ("Apply to file").

Where the block goes is `workspace/block_placement.py`'s to decide, against the live
buffer. The edit then travels exactly as an agent edit does: a change set of its own (a
fresh id in the ledger, recorded by the turn's `RecordingBridge`), the editor bridge and
its conflict policy (`edit_plan.plan_edit`: a versioned `workspace/applyEdit` into the
open, maybe dirty, buffer), and a `file_edited` event naming its blobs and hunks. So it
is listed by `tether/changes/list`, undone alone by `tether/changes/undo` and rewound
like a turn; a buffer that moved on refuses it.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from tether.protocol.events import AppliedCodeBlock, FileEdited
from tether.protocol.methods import BlockRefusal, CodeBlockApplyResult
from tether.session.changes import ChangeService
from tether.session.recording import cpu
from tether.session.state import SessionState
from tether.workspace import safe_open
from tether.workspace.block_placement import Placed, Unplaced, place_block
from tether.workspace.bridge import DocumentSnapshot, FileEdit
from tether.workspace.diffs import unified_diff
from tether.workspace.folder import path_to_uri


async def apply_code_block(changes: ChangeService, state: SessionState, path: Path,
                           code: str, version: int | None, *,
                           max_bytes: int) -> CodeBlockApplyResult:
    """Place `code` in `path` (canonical, inside the folder) and deliver it as an edit.

    The checks of an agent edit come first (tools/common.py: a regular file, within
    `max_bytes` = settings.max_file_bytes, before and after; a FIFO is never opened):
    what fails them is a TetherError, and nothing was written or recorded.
    """
    rel = changes.folder.relative(path)
    if state.running:
        # A turn's change set spans each file from its first edit to its last: a block
        # landing in between would be taken back by an undo of the turn (and the turn may
        # be planning an edit of this very text).
        return _refused(path, rel, "busy", "a turn is running in this session; apply the "
                        "block once it ends (or stop it)")
    await asyncio.to_thread(safe_open.check_on_disk, path, max_bytes=max_bytes, label=rel)
    snapshot = await changes.bridge.read_document(path)
    safe_open.check_text_size(rel, snapshot.text, max_bytes)
    if version is not None and snapshot.version != version:
        return _refused(path, rel, "stale", _stale(rel, snapshot.version, version))
    placed = await cpu(place_block, snapshot.text if snapshot.exists else None, code, rel)
    if isinstance(placed, Unplaced):
        return _refused(path, rel, "no_anchor", placed.message)
    if snapshot.exists and placed.text == snapshot.text:
        return _refused(path, rel, "unchanged", f"{rel} already holds this code")
    safe_open.check_text_size(rel, placed.text, max_bytes)
    return await _deliver(changes, state, snapshot, rel, placed)


async def _deliver(changes: ChangeService, state: SessionState, snapshot: DocumentSnapshot,
                   rel: str, placed: Placed) -> CodeBlockApplyResult:
    """The edit through the recording bridge, then its `file_edited` event."""
    change_id = uuid.uuid4().hex
    ledger = await changes.ledger(state.info.id)
    recorder = changes.recorder(state, change_id, ledger)
    diff = await cpu(unified_diff, snapshot.text, placed.text, rel)
    path = snapshot.path
    try:
        outcome = await recorder.apply_edit(FileEdit(path, snapshot, placed.text, diff))
    finally:
        if not ledger.turns[change_id].files:
            ledger.turns.pop(change_id, None)  # nothing landed: no empty change set
    if not outcome.applied:
        return _refused(path, rel, "stale", outcome.message.removeprefix("not applied: ")
                        or f"{rel} could not be changed")
    block = AppliedCodeBlock(placement=placed.kind, start_line=placed.start_line,
                             end_line=placed.end_line)
    ledger.applied_block(change_id, rel, placed.start_line, placed.end_line)
    await state.emitter.emit(FileEdited(
        **state.emitter.scope(change_id), tool_call_id=change_id, uri=path_to_uri(path),
        diff=diff, applied=True, rebased=outcome.rebased, message=outcome.message or None,
        code_block=block, **recorder.fields_for(path)), sync=True)
    where = "" if placed.kind == "created" else f" lines {placed.start_line}-{placed.end_line}"
    return CodeBlockApplyResult(
        applied=True, path=rel, uri=path_to_uri(path), change_id=change_id,
        placement=placed.kind, start_line=placed.start_line, end_line=placed.end_line,
        target=outcome.target, rebased=outcome.rebased,
        message=outcome.message or f"applied the block to {rel}{where}")


def _stale(rel: str, server_version: int | None, version: int) -> str:
    if server_version is None:  # open in the editor, not yet here: never write the disk
        return (f"{rel} is open in the editor (version {version}) but the server has not "
                "seen that buffer yet; apply it again")
    return (f"{rel} changed in the editor since you chose Apply (version {server_version}, "
            f"not {version}); apply it again")


def _refused(path: Path, rel: str, reason: BlockRefusal, message: str) -> CodeBlockApplyResult:
    return CodeBlockApplyResult(applied=False, path=rel, uri=path_to_uri(path), reason=reason,
                                message=message)
