"""The history store seam: one per workspace folder, append-only JSONL underneath.

Records are durable session events (`tether.protocol.events`, `durable = True`) as their
wire dicts; the first line of each file is the header (`SessionInfo`). A rename is an
appended `title_changed`, never a rewrite. Methods are synchronous (small appends, a
lock, an fsync); the session layer runs the slow ones in a thread.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from tether.protocol.events import EventBase
from tether.protocol.models import Message, SessionInfo, SessionSummary

DEFAULT_TAIL = 1000


@dataclass
class LoadedSession:
    info: SessionInfo  # header with title, usage totals and updated_at folded in
    messages: list[Message]  # oldest first (only the tail when truncated)
    last_seq: int  # highest seq on disk (0 for none)
    truncated: bool = False  # older messages were left out by a tail load
    total_messages: int = 0
    problems: list[str] = field(default_factory=list)  # corrupt lines skipped, torn tail


class SessionStore(Protocol):
    """History of the sessions of one workspace folder."""

    def create(self, info: SessionInfo) -> None:
        """Write a new session file with its header (fsynced)."""
        ...

    def append(self, session_id: str, events: Sequence[EventBase], *, sync: bool = False) -> None:
        """Append durable events under the cross-process lock; `sync` flushes + fsyncs."""
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
        self, *, limit: int = 50, cursor: str | None = None, query: str | None = None
    ) -> tuple[list[SessionSummary], str | None]:
        """Newest first, from headers + the summary cache; returns (page, next_cursor)."""
        ...

    def delete(self, session_id: str) -> None: ...

    def fork(
        self, session_id: str, new_info: SessionInfo, *, up_to_message_id: str | None = None
    ) -> SessionInfo:
        """Copy records up to and including the message (all when None) into a new session."""
        ...

    def export(self, session_id: str, fmt: Literal["markdown", "json"]) -> str: ...
