"""The change sets of one session: per turn, each file it touched and how to take it back.

Built from history (`file_edited`, `change_undone`, `turn_rewound`, `turn_started`) when
a session is first reviewed or rewound, then kept up to date as events happen, so a
rewind works the same after a restart. This process's own edits and undos change it
directly; what another process (another window on the session) appended is folded in as
it is caught up (`follow`), so both windows agree on what is applied, undone, rewound.
Holds only blob ids, never file text: the texts live in the blob store (store/blobs.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

FILE_EDITED = "file_edited"
CHANGE_UNDONE = "change_undone"
TURN_REWOUND = "turn_rewound"
TURN_STARTED = "turn_started"
EDITS_ALWAYS = "*edits*"  # in SessionState.always_allowed: "allow always" given to an edit


@dataclass
class FileChange:
    """One file of one turn: its text before the turn's first touch (with what the user
    typed between the turn's edits of it) and after its last."""

    path: str  # relative to the workspace folder, "/"-separated
    before_blob: str | None  # None: created by the turn, or not restorable
    after_blob: str | None  # the agent's latest text, as a delta from the before text
    created: bool = False
    restorable: bool = True
    undone: set[str] = field(default_factory=set)  # hunk ids the user undid


@dataclass
class TurnChanges:
    turn_id: str
    files: dict[str, FileChange] = field(default_factory=dict)  # first touch first
    rewound: bool = False
    code_block: bool = False  # a chat code block the user applied, not an agent turn


class ChangeLedger:
    """Every turn of a session in order, with the files each one changed."""

    def __init__(self) -> None:
        self.turns: dict[str, TurnChanges] = {}
        # what the user did to the files (undid, applied), for the model's next request
        self.notes: list[str] = []
        self.built_seq = 0  # the newest record read from history when it was built

    def turn(self, turn_id: str) -> TurnChanges:
        found = self.turns.get(turn_id)
        if found is None:
            found = self.turns[turn_id] = TurnChanges(turn_id)
        return found

    @property
    def rewound(self) -> set[str]:
        return {t.turn_id for t in self.turns.values() if t.rewound}

    def live_turns_from(self, turn_id: str) -> list[TurnChanges]:
        """`turn_id` and every later turn not rewound yet; empty when it is unknown."""
        order = [t for t in self.turns.values() if not t.rewound]
        ids = [t.turn_id for t in order]
        return order[ids.index(turn_id):] if turn_id in ids else []

    def fold(self, record: Mapping[str, Any]) -> None:
        """Take one history record into account (unknown kinds are ignored)."""
        kind = record.get("type")
        turn_id = record.get("turnId")
        if kind == TURN_STARTED and isinstance(turn_id, str):
            self.turn(turn_id)
            self.notes.clear()  # said to the model in that turn's first request
        elif kind == FILE_EDITED and isinstance(turn_id, str) and record.get("applied"):
            self._fold_edit(turn_id, record)
        elif kind == CHANGE_UNDONE:
            self._fold_undo(record)
        elif kind == TURN_REWOUND:
            for rewound in record.get("rewoundTurnIds") or []:
                if str(rewound) in self.turns:
                    self.turns[str(rewound)].rewound = True

    def _fold_undo(self, record: Mapping[str, Any]) -> None:
        turn = self.turns.get(str(record.get("undoneTurnId")))
        change = turn.files.get(str(record.get("path"))) if turn else None
        if turn is not None and change is not None:
            change.undone.update(str(h) for h in record.get("hunkIds") or [])
            self.notes.append(undo_note(change.path, str(record.get("lines")),
                                        code_block=turn.code_block))

    def follow(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Fold records another process appended, in seq order; those the ledger was
        built from (seq up to `built_seq`) are skipped, so none counts twice."""
        for record in records:
            if _seq(record) > self.built_seq:
                self.fold(record)

    def _fold_edit(self, turn_id: str, record: Mapping[str, Any]) -> None:
        path = record.get("path")
        if not isinstance(path, str) or not path:
            return  # an edit from before change sets existed
        turn = self.turn(turn_id)
        block = record.get("codeBlock")
        if isinstance(block, Mapping):
            self.applied_block(turn_id, path, block.get("startLine"), block.get("endLine"))
        change = turn.files.get(path)
        after = record.get("afterBlob")
        if change is None:
            turn.files[path] = FileChange(
                path=path, before_blob=_str_or_none(record.get("beforeBlob")),
                after_blob=_str_or_none(after), created=bool(record.get("created")),
                restorable=bool(record.get("restorable", True)))
        else:  # a later edit: its before is the first one's, with what the user typed since
            change.before_blob = _str_or_none(record.get("beforeBlob")) or change.before_blob
            change.after_blob = _str_or_none(after)
            change.restorable = change.restorable and bool(record.get("restorable", True))

    def applied_block(self, turn_id: str, path: str, start_line: object,
                      end_line: object) -> None:
        """A code block the user applied: its change set is marked as the user's, and the
        model hears of it once, at its next request."""
        self.turn(turn_id).code_block = True
        self.notes.append(applied_note(path, start_line, end_line))

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> ChangeLedger:
        ledger = cls()
        for record in records:
            ledger.fold(record)
            ledger.built_seq = max(ledger.built_seq, _seq(record))
        return ledger


def undo_note(path: str, lines: str, *, code_block: bool = False) -> str:
    """What the model hears of an undo: its own change (not to redo), or the user's block."""
    where = f" {lines}" if lines else ""
    if code_block:
        return (f"The user undid the code block they had applied to {path}{where}; the file "
                "no longer holds it.")
    return (f"The user undid your change to {path}{where}. Do not make it again unless "
            "they ask for it.")


def applied_note(path: str, start_line: object, end_line: object) -> str:
    """What the model hears of a code block the user applied from the chat."""
    where = (f" (lines {start_line}-{end_line})"
             if isinstance(start_line, int) and isinstance(end_line, int) and start_line
             else " (the block is the whole file)")
    return (f"The user applied a code block from the chat to {path}{where}; the file holds "
            "it now.")

def _seq(record: Mapping[str, Any]) -> int:
    seq = record.get("seq")
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else 0


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
