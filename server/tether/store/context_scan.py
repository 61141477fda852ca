"""The records a session's context is built from, found without parsing every line.

Compaction summaries, pins and step-limit checkpoints can lie anywhere in a history
file, also before the tail a load reads; so can the user's first message (the task,
pinned in every request). One forward pass pre-checks each line by substring (records
are written compact, see records.py) and parses only the few that match.
"""

from __future__ import annotations

from typing import Any, BinaryIO

from tether.store.lines import forward_lines
from tether.store.records import MESSAGE_ADDED, MESSAGE_MARK, decode_line

CONTEXT_RECORD_TYPES = ("compaction", "pin", "unpin", "checkpoint")
_MARKS = tuple(
    (kind, (b'"type":"%s",' % kind.encode(), b'"type":"%s"}' % kind.encode()))
    for kind in CONTEXT_RECORD_TYPES
)
_USER_MARK = b'"role":"user"'


def scan_context_records(f: BinaryIO, start: int, end: int) -> list[dict[str, Any]]:
    """Context records of [start, end), oldest first, led by the first user message record."""
    found: list[dict[str, Any]] = []
    first_user: dict[str, Any] | None = None
    for _offset, line, terminated in forward_lines(f, start, end):
        if not terminated:
            break
        if first_user is None and MESSAGE_MARK in line and _USER_MARK in line:
            first_user = _user_message(line)
            continue
        record = _context_record(line)
        if record is not None:
            found.append(record)
    return ([first_user] if first_user is not None else []) + found


def _user_message(line: bytes) -> dict[str, Any] | None:
    """The line's record if it really is a user's message_added (the marks were a hint)."""
    record = decode_line(line)
    if isinstance(record, str) or record.get("type") != MESSAGE_ADDED:
        return None
    message = record.get("message")
    return record if isinstance(message, dict) and message.get("role") == "user" else None


def _context_record(line: bytes) -> dict[str, Any] | None:
    """The line's record if it is of a context type: only the first type it names is
    parsed for."""
    for kind, marks in _MARKS:
        if marks[0] in line or marks[1] in line:
            record = decode_line(line)
            if not isinstance(record, str) and record.get("type") == kind:
                return record
            return None
    return None
