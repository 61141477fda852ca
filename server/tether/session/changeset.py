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
    """One file of one turn: its text before the turn's first touch and after its last."""

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


class ChangeLedger:
    """Every turn of a session in order, with the files each one changed."""

    def __init__(self) -> None:
        self.turns: dict[str, TurnChanges] = {}
        self.notes: list[str] = []  # what the user undid, for the model's next request
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
            turn = self.turns.get(str(record.get("undoneTurnId")))
            change = turn.files.get(str(record.get("path"))) if turn else None
            if change is not None:
                change.undone.update(str(h) for h in record.get("hunkIds") or [])
                self.notes.append(undo_note(str(record.get("path")), str(record.get("lines"))))
        elif kind == TURN_REWOUND:
            for rewound in record.get("rewoundTurnIds") or []:
                if str(rewound) in self.turns:
                    self.turns[str(rewound)].rewound = True

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
        change = turn.files.get(path)
        after = record.get("afterBlob")
        if change is None:
            turn.files[path] = FileChange(
                path=path, before_blob=_str_or_none(record.get("beforeBlob")),
                after_blob=_str_or_none(after), created=bool(record.get("created")),
                restorable=bool(record.get("restorable", True)))
        else:
            change.after_blob = _str_or_none(after)
            change.restorable = change.restorable and bool(record.get("restorable", True))

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> ChangeLedger:
        ledger = cls()
        for record in records:
            ledger.fold(record)
            ledger.built_seq = max(ledger.built_seq, _seq(record))
        return ledger


def undo_note(path: str, lines: str) -> str:
    where = f" {lines}" if lines else ""
    return (f"The user undid your change to {path}{where}. Do not make it again unless "
            "they ask for it.")


def _seq(record: Mapping[str, Any]) -> int:
    seq = record.get("seq")
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else 0


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
