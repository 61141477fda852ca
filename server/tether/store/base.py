"""The history store seam: one per workspace folder, append-only JSONL underneath.

Records are durable session events (`tether.protocol.events`, `durable = True`) as their
wire dicts; the first line of each file is the header (`SessionInfo`). A rename is an
appended `title_changed`, never a rewrite. Methods are synchronous (small appends, a
lock, an fsync); the session layer runs the slow ones in a thread.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from tether.protocol.events import EventBase
from tether.protocol.models import Message, SessionInfo, SessionSummary
from tether.store.locks import TurnLease
from tether.store.search import Hit

DEFAULT_TAIL = 1000


@dataclass
class LoadedSession:
    info: SessionInfo  # header with title, usage totals and updated_at folded in
    messages: list[Message]  # oldest first (only the tail when truncated)
    last_seq: int  # highest seq on disk (0 for none)
    truncated: bool = False  # older messages were left out by a tail load
    total_messages: int = 0
    problems: list[str] = field(default_factory=list)  # corrupt lines skipped, torn tail
    size: int = 0  # bytes of the file this load read (where a catch-up starts reading)


@dataclass(frozen=True)
class Appended:
    """Where an append landed: the seqs it was given and its byte range in the file."""

    first_seq: int = 0
    last_seq: int = 0
    start: int = 0  # file size before the write (foreign bytes may precede it)
    end: int = 0  # file size after it


@dataclass(frozen=True)
class StoredRecord:
    """One durable record read back from a file, with the offset just past its line."""

    record: dict[str, Any]
    end: int


class SessionStore(Protocol):
    """History of the sessions of one workspace folder."""

    def create(self, info: SessionInfo, records: Sequence[Mapping[str, Any]] = ()) -> None:
        """Write a new session file with its header (and `records`, numbered), fsynced;
        StoreError when a session with that id exists."""
        ...

    def append(self, session_id: str, events: Sequence[EventBase | Mapping[str, Any]], *,
               sync: bool = False,
               number: bool = False, after_seq: int = 0) -> Appended:
        """Append durable events under the cross-process lock; `sync` flushes + fsyncs.

        With `number`, the events get their seqs under that lock, from the file's own
        tail (never below `after_seq + 1`): unique and increasing whatever the number of
        processes writing the session.
        """
        ...

    def read_after(self, session_id: str, offset: int) -> tuple[list[StoredRecord], int]:
        """Whole records from byte `offset` to the end, and the offset after the last."""
        ...

    def last_turn(self, session_id: str) -> list[dict[str, Any]]:
        """The records of the newest turn (from its turn_started), oldest first."""
        ...

    def turn_lease(self, session_id: str) -> TurnLease | None:
        """The session's turn lease, or None when another process runs a turn in it."""
        ...

    def changes_lease(self, session_id: str) -> TurnLease | None:
        """Held while an undo or rewind of the session runs, or None when one runs
        elsewhere: one window at a time checks what is applied and reverts it."""
        ...

    def exists(self, session_id: str) -> bool: ...

    def load(self, session_id: str, *, tail: int | None = DEFAULT_TAIL) -> LoadedSession:
        """Raises SessionNotFoundError / HistoryCorruptError (unreadable header only)."""
        ...

    def iter_records(self, session_id: str, *, from_seq: int = 0) -> Iterator[dict[str, Any]]:
        """Durable records with seq > from_seq, as stored (unknown types included)."""
        ...

    def context_records(self, session_id: str) -> list[dict[str, Any]]:
        """The records the context is built from (compaction, pin, unpin, checkpoint),
        oldest first, led by the first user message's record when there is one."""
        ...

    def list(
        self, *, limit: int = 50, cursor: str | None = None, query: str | None = None,
        include_archived: bool = False,
    ) -> tuple[list[SessionSummary], str | None]:
        """Newest first, from headers + the summary cache; returns (page, next_cursor)."""
        ...

    def search(self, query: str, *, limit: int = 20, include_archived: bool = False
               ) -> builtins.list[Hit]:
        """Sessions whose records contain every word, best first (the FTS5 catalogue)."""
        ...

    def delete(self, session_id: str) -> None: ...

    def fork(
        self, session_id: str, new_info: SessionInfo, *, up_to_message_id: str | None = None
    ) -> SessionInfo:
        """Copy records up to and including the message (all when None) into a new session."""
        ...

    def export(self, session_id: str, fmt: Literal["markdown", "json"]) -> str: ...
