"""Change sets at work: list a session's turns' edits, undo hunks, rewind turns.

Recording is `session/recording.py` (the bridge of one turn). Undo and rewind never
write blindly: they hand the bridge a `FileEdit` whose base is the text the agent left,
so the one edit planner (workspace/edit_plan.py) merges the user's typing since (3-way)
or refuses, and open buffers get a versioned `workspace/applyEdit` like any agent edit.
A rewind of several turns takes back each turn's own change, the last first, so what the
user typed between the turns stays (typing between edits of one turn is folded out of
the turn's change as it is recorded).
Each file is restored in one atomic step, so a crash mid-rewind leaves every file
restored or untouched, and rewinding again finishes the job (a restored file is already
what the rewind wants).

Two windows (processes) on one session each cache the ledger. What the other one appended
is folded in as it is caught up (`follow`), and an undo or rewind holds the session's
changes lease and catches up before it looks, so a change another window reverted is
answered "already undone" and never reverted twice.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tether.errors import InvalidParamsError, StoreError, TetherError, TurnInProgressError
from tether.protocol.events import ChangeConflict, ChangeUndone, TurnRewound
from tether.protocol.methods import (
    ChangesListResult,
    ChangesUndoResult,
    FileChangeInfo,
    HunkInfo,
    RewindResult,
    TurnChangesInfo,
)
from tether.session.changeset import ChangeLedger, FileChange, TurnChanges, undo_note
from tether.session.once import built_once
from tether.session.recording import EditAsker, RecordingBridge, cpu
from tether.session.state import SessionState
from tether.store.base import SessionStore
from tether.store.blobs import BlobStore
from tether.workspace import safe_open
from tether.workspace.bridge import (
    DocumentSnapshot,
    EditorBridge,
    FileEdit,
)
from tether.workspace.folder import WorkspaceFolder, path_to_uri, uri_to_path
from tether.workspace.hunks import (
    Hunk,
    apply_hunks,
    compute_hunks,
    count_lines,
    decode_delta,
)
from tether.workspace.rebase import rebase

log = logging.getLogger(__name__)

_TEXT_CACHE = 256
# Files restored at once: each is still one atomic step, but their fsyncs overlap.
_PARALLEL_RESTORES = 8
_LEASE_WAIT = 30.0  # seconds an undo or rewind waits for another window's to end
_LEASE_POLL = 0.02

CatchUp = Callable[[SessionState], Awaitable[None]]


class ChangeService:
    """The change sets of one workspace folder's sessions."""

    def __init__(self, folder: WorkspaceFolder, store: SessionStore, blobs: BlobStore | None,
                 bridge: EditorBridge, *, max_blob_bytes: Callable[[], int],
                 catch_up: CatchUp | None = None) -> None:
        self.folder = folder
        self.store = store
        self.blobs = blobs
        self.bridge = bridge
        self.max_blob_bytes = max_blob_bytes
        self._catch_up = catch_up  # folds in (`follow`) what other processes appended
        self._ledgers: dict[str, ChangeLedger] = {}
        self._building: dict[str, list[Mapping[str, Any]]] = {}  # followed while built
        self._lock = asyncio.Lock()
        self._texts: dict[str, str] = {}
        self._edit_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = \
            weakref.WeakValueDictionary()

    def edit_lock(self, rel: str) -> asyncio.Lock:
        """The lock of one file's recorded edits (agent turns, applied code blocks): the
        text read as an edit's "before" and the edit itself are one step, or an edit that
        lands in between is recorded in both change sets (and undone with either)."""
        lock = self._edit_locks.get(rel)
        if lock is None:
            lock = self._edit_locks[rel] = asyncio.Lock()
        return lock

    # -- ledgers and texts ------------------------------------------------------------

    async def ledger(self, session_id: str) -> ChangeLedger:
        return await built_once(self._ledgers, session_id, self._lock,
                                lambda: self._build(session_id))

    async def _build(self, session_id: str) -> ChangeLedger:
        """The ledger from history; an unreadable history gives an empty one (the turn
        still runs and ends with its terminal event; only older undo is lost). Records
        caught up while the file is read are folded in too (`follow` skips those read)."""
        followed = self._building[session_id] = []
        try:
            records = await asyncio.to_thread(lambda: list(self.store.iter_records(session_id)))
        except TetherError as exc:
            log.warning("change sets of %s not read: %s", session_id, exc.message)
            return ChangeLedger()
        finally:
            del self._building[session_id]  # no await until built_once keeps the ledger
        ledger = ChangeLedger.from_records(records)
        ledger.follow(followed)
        return ledger

    def follow(self, session_id: str, records: Sequence[Mapping[str, Any]]) -> None:
        """What another process appended to the session (caught up, in seq order), into
        the cached ledger, or kept for the one being built."""
        building = self._building.get(session_id)
        ledger = self._ledgers.get(session_id)
        if building is not None:
            building.extend(records)
        elif ledger is not None:
            ledger.follow(records)

    @asynccontextmanager
    async def _exclusive(self, state: SessionState) -> AsyncIterator[ChangeLedger]:
        """The session's ledger, caught up, while no other undo or rewind of the session
        runs in any window: what another window reverted is seen before reverting."""
        session_id = state.info.id
        lease = self.store.changes_lease(session_id)
        for _ in range(int(_LEASE_WAIT / _LEASE_POLL)):
            if lease is not None:
                break
            await asyncio.sleep(_LEASE_POLL)
            lease = self.store.changes_lease(session_id)
        if lease is None:
            raise StoreError(f"another window is undoing or rewinding changes of session "
                             f"{session_id}; try again", data={"sessionId": session_id})
        try:
            if self._catch_up is not None:
                await self._catch_up(state)
            yield await self.ledger(session_id)
        finally:
            lease.release()

    def forget(self, session_id: str) -> None:
        self._ledgers.pop(session_id, None)

    async def put(self, session_id: str, data: bytes) -> str | None:
        if self.blobs is None:
            return None
        return await asyncio.to_thread(self.blobs.put, session_id, data)

    async def _text(self, digest: str) -> str:
        cached = self._texts.get(digest)
        if cached is None:
            assert self.blobs is not None
            cached = (await asyncio.to_thread(self.blobs.get, digest)).decode("utf-8")
            if len(self._texts) >= _TEXT_CACHE:
                self._texts.pop(next(iter(self._texts)))
            self._texts[digest] = cached
        return cached

    async def texts(self, change: FileChange) -> tuple[str, str]:
        """(text before the turn, the agent's text after it); "" before for a new file."""
        if not change.restorable or self.blobs is None:
            raise TetherError(f"{change.path} was too big to keep a copy of; it cannot be "
                              "undone or rewound")
        before = "" if change.created else await self._text(_need(change.before_blob))
        if change.after_blob is None:
            return before, before
        delta = await asyncio.to_thread(self.blobs.get, change.after_blob)
        return before, await cpu(decode_delta, before, delta)

    async def hunks(self, change: FileChange) -> tuple[str, list[Hunk]]:
        before, after = await self.texts(change)
        return before, await cpu(compute_hunks, change.path, before, after)

    def recorder(self, state: SessionState, turn_id: str, ledger: ChangeLedger,
                 ask: EditAsker | None = None) -> RecordingBridge:
        return RecordingBridge(self, state.info.id, ledger.turn(turn_id), ask)

    # -- review -----------------------------------------------------------------------

    async def list(self, session_id: str, turn_id: str | None) -> ChangesListResult:
        ledger = await self.ledger(session_id)
        if turn_id is not None and turn_id not in ledger.turns:
            raise InvalidParamsError(f"no turn {turn_id} in session {session_id}")
        turns = [ledger.turns[turn_id]] if turn_id else list(ledger.turns.values())
        out: list[TurnChangesInfo] = []
        for turn in turns:
            if turn.files or turn_id:
                files = [await self._file_info(c) for c in turn.files.values()]
                out.append(TurnChangesInfo(turn_id=turn.turn_id, rewound=turn.rewound,
                                           files=files))
        return ChangesListResult(turns=out)

    async def _file_info(self, change: FileChange) -> FileChangeInfo:
        info = FileChangeInfo(path=change.path, uri=self._uri(change.path),
                              created=change.created, restorable=change.restorable)
        if not change.restorable or self.blobs is None:
            return info
        _before, hunks = await self.hunks(change)
        live = [h for h in hunks if h.id not in change.undone]
        info.added, info.removed = count_lines(live)
        info.hunks = [HunkInfo(
            id=h.id, state="undone" if h.id in change.undone else "applied",
            old_start=h.old_start + 1, old_lines=len(h.old_lines), new_start=h.new_start + 1,
            new_lines=len(h.new_lines), removed=list(h.old_lines), added=list(h.new_lines),
        ) for h in hunks]
        return info

    # -- undo -------------------------------------------------------------------------

    async def undo(self, state: SessionState, turn_id: str, path: str | None,
                   hunk: str | None) -> ChangesUndoResult:
        async with self._exclusive(state) as ledger:
            turn = ledger.turns.get(turn_id)
            if turn is None or not turn.files:
                raise InvalidParamsError(
                    f"turn {turn_id} made no edits in session {state.info.id}")
            if turn.rewound:
                raise InvalidParamsError(f"turn {turn_id} was rewound already")
            if hunk is not None and path is None:
                raise InvalidParamsError("undoing one hunk needs its file's path")
            changes = ([self._change(turn, path)] if path is not None
                       else list(turn.files.values()))
            result = ChangesUndoResult()
            for change in changes:
                await self._undo_file(state, ledger, turn, change, hunk, result)
            if not result.undone and not result.conflicts:
                where = f" to {changes[0].path}" if path is not None else ""
                raise InvalidParamsError(
                    f"the changes of turn {turn_id}{where} are already undone")
            return result

    def _change(self, turn: TurnChanges, raw: str) -> FileChange:
        rel = self._relative(raw)
        change = turn.files.get(rel)
        if change is None:
            raise InvalidParamsError(f"turn {turn.turn_id} did not edit {rel}")
        return change

    async def _undo_file(self, state: SessionState, ledger: ChangeLedger, turn: TurnChanges,
                         change: FileChange, hunk: str | None,
                         result: ChangesUndoResult) -> None:
        try:
            before, hunks = await self.hunks(change)
        except TetherError as exc:
            result.conflicts.append(ChangeConflict(path=change.path, reason=exc.message))
            return
        live = [h for h in hunks if h.id not in change.undone]
        chosen = _chosen(change, hunks, live, hunk)
        if not chosen:
            return
        kept = [h for h in live if h not in chosen]
        remove = change.created and not kept
        problem = await self._restore(change.path, apply_hunks(before, live),
                                      None if remove else apply_hunks(before, kept))
        if problem:
            result.conflicts.append(ChangeConflict(path=change.path, reason=problem))
            return
        ids = [h.id for h in chosen]
        change.undone.update(ids)
        lines = ", ".join(h.describe() for h in chosen)
        ledger.notes.append(undo_note(change.path, lines, code_block=turn.code_block))
        result.undone.extend(ids)
        result.files.append(change.path)
        await state.emitter.emit(ChangeUndone(
            **state.emitter.scope(None), undone_turn_id=turn.turn_id, path=change.path,
            uri=self._uri(change.path), hunk_ids=ids, lines=lines, deleted=remove,
            code_block=turn.code_block), sync=True)

    # -- rewind -----------------------------------------------------------------------

    async def rewind(self, state: SessionState, turn_id: str) -> RewindResult:
        if state.running:
            raise TurnInProgressError("a turn is running in this session; cancel it first")
        async with self._exclusive(state) as ledger:
            turns = ledger.live_turns_from(turn_id)
            if not turns:
                known = ledger.turns.get(turn_id)
                raise InvalidParamsError(
                    f"turn {turn_id} was rewound already" if known and known.rewound
                    else f"no turn {turn_id} to rewind in session {state.info.id}")
            return await self._rewind(state, turn_id, turns)

    async def _rewind(self, state: SessionState, turn_id: str,
                      turns: Sequence[TurnChanges]) -> RewindResult:
        """Restore every file `turns` touched to its text before the first of them."""
        touched: dict[str, list[FileChange]] = {}
        for turn in turns:
            for rel, change in turn.files.items():
                touched.setdefault(rel, []).append(change)
        result = RewindResult(rewound_turn_ids=[t.turn_id for t in turns])
        gate = asyncio.Semaphore(_PARALLEL_RESTORES)

        async def restore(rel: str) -> str | None:
            async with gate:
                return await self._rewind_file(touched[rel])

        problems = await asyncio.gather(*(restore(rel) for rel in touched))
        for rel, problem in zip(touched, problems, strict=True):
            if problem:
                result.conflicts.append(ChangeConflict(path=rel, reason=problem))
            else:
                result.restored.append(rel)
        for turn in turns:
            turn.rewound = True
        await state.emitter.emit(TurnRewound(
            **state.emitter.scope(None), to_turn_id=turn_id,
            rewound_turn_ids=result.rewound_turn_ids, restored=result.restored,
            conflicts=result.conflicts), sync=True)
        return result

    async def _rewind_file(self, changes: Sequence[FileChange]) -> str | None:
        """One file back to before the first of `changes` (its turns', oldest first)."""
        try:
            spans = [await self._agent_span(c) for c in changes]
        except TetherError as exc:
            return exc.message
        expected = spans[-1][1]
        target = None if changes[0].created else await _unwound(spans, expected)
        return await self._restore(changes[0].path, expected, target)

    async def _agent_span(self, change: FileChange) -> tuple[str, str | None]:
        """(text before the turn, the agent's text without the hunks the user undid;
        None when an undo removed the file the turn created)."""
        before, after = await self.texts(change)
        if not change.undone:
            return before, after
        hunks = await cpu(compute_hunks, change.path, before, after)
        live = [h for h in hunks if h.id not in change.undone]
        return before, None if change.created and not live else apply_hunks(before, live)

    # -- writing back -----------------------------------------------------------------

    async def _restore(self, rel: str, expected: str | None, target: str | None) -> str | None:
        """Bring `rel` from `expected` (the agent's text; None: absent) to `target`
        (None: delete it), keeping what the user typed since; a reason when it cannot."""
        path = self.folder.root / rel
        if target is None:
            return await self._remove(path, rel, expected)
        base = DocumentSnapshot(path=path, text=expected or "", version=None,
                                exists=expected is not None)
        # no diff: a restore is reported by change_undone / turn_rewound, not file_edited
        outcome = await self.bridge.apply_edit(FileEdit(path, base, target, ""))
        if outcome.applied:
            return None
        return outcome.message.removeprefix("not applied: ") or f"{rel} could not be restored"

    async def _remove(self, path: Path, rel: str, expected: str | None) -> str | None:
        current = await self.bridge.read_document(path)
        if not current.exists:
            return None
        if current.version is not None:
            return (f"{rel} was created by the agent and is open in the editor; close it "
                    "and rewind again to remove it")
        if expected is not None and current.text != expected:
            return f"{rel} was created by the agent and changed since; it was left in place"
        try:
            await asyncio.to_thread(safe_open.remove_regular, path)
        except (OSError, TetherError) as exc:
            return f"cannot remove {rel}: {exc}"
        return None

    def _relative(self, raw: str) -> str:
        path = uri_to_path(raw) if raw.startswith("file:") else Path(raw)
        return self.folder.relative(self.folder.resolve(path))

    def _uri(self, rel: str) -> str:
        return path_to_uri(self.folder.root / rel)


def _chosen(change: FileChange, hunks: list[Hunk], live: list[Hunk],
            hunk: str | None) -> list[Hunk]:
    """The hunks to undo: `hunk` alone, or every one still applied (None)."""
    if hunk is None:
        return live
    chosen = [h for h in live if h.id == hunk]
    if not chosen:
        known = any(h.id == hunk for h in hunks)
        raise InvalidParamsError(f"hunk {hunk} of {change.path} is already undone"
                                 if known else f"no hunk {hunk} in {change.path}")
    return chosen


async def _unwound(spans: Sequence[tuple[str, str | None]], current: str | None) -> str:
    """`current` with each turn's change (before → after) taken back, the last turn first,
    so what the user typed between the turns stays; where that cannot merge (typing on
    a turn's lines, a file created in between), the first turn's before text."""
    text = current
    for before, after in reversed(spans):
        merged = None if text is None or after is None else \
            await cpu(rebase, after, text, before)
        if merged is None or not merged.ok or merged.text is None:
            return spans[0][0]
        text = merged.text
    return spans[0][0] if text is None else text


def _need(value: str | None) -> str:
    if value is None:
        raise TetherError("the file's copy from before the turn is missing")
    return value
