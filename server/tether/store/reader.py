"""Reading one history file: the full fold, the tail load, the summary rebuild.

Every reader works on a byte range `[header_end, end)` fixed by the caller, so a
concurrent append never shows up half-read. Nothing here writes: a line that cannot be
read is skipped and described in `problems`, and stays on disk as it was.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections import deque
from datetime import UTC, datetime
from typing import Any, BinaryIO, TypeVar

from pydantic import ValidationError

from tether.errors import HistoryCorruptError
from tether.protocol.models import Message, SessionInfo
from tether.store.activity import ACTIVITY_MARKS
from tether.store.base import LoadedSession
from tether.store.lines import backward_lines, forward_lines, read_first_line
from tether.store.records import (
    MAX_HEADER_BYTES,
    MESSAGE_ADDED,
    MESSAGE_MARK,
    TITLE_CHANGED,
    TITLE_MARK,
    USAGE,
    USAGE_MARK,
    Summary,
    decode_line,
    parse_header,
)

log = logging.getLogger(__name__)

_CANDIDATES = 8  # last title/usage lines kept by the prefix scan, in case one is a false hit
_T = TypeVar("_T")


def read_header(f: BinaryIO, session_id: str, path: str) -> tuple[SessionInfo, int]:
    """(header, byte length of the header line)."""
    line = read_first_line(f, MAX_HEADER_BYTES)
    return parse_header(line, session_id=session_id, path=path), len(line)


def _message(record: dict[str, Any]) -> Message | str:
    try:
        return Message.model_validate(record.get("message"))
    except ValidationError as exc:
        return f"message_added with an invalid message ({exc.error_count()} errors)"


def _decoded(line: bytes, terminated: bool) -> dict[str, Any] | str | None:
    """The record on one line; what is wrong with a torn or unreadable one; None if blank."""
    if not terminated:
        return "torn last line skipped"
    if not line.strip():
        return None
    record = decode_line(line)
    return f"skipped, {record}" if isinstance(record, str) else record


def load_full(f: BinaryIO, info: SessionInfo, header_len: int, end: int) -> LoadedSession:
    """Every record read and folded, oldest first."""
    summary = Summary.from_header(info, header_len)
    messages: list[Message] = []
    problems: list[str] = []
    for number, (offset, line, terminated) in enumerate(forward_lines(f, header_len, end), start=2):
        record = _decoded(line, terminated)  # only the last line can be torn
        if isinstance(record, str):
            problems.append(f"line {number} (byte {offset}): {record}")
            continue
        if record is None:
            continue
        summary.add(record)
        if record.get("type") == MESSAGE_ADDED:
            message = _message(record)
            if isinstance(message, str):
                problems.append(f"line {number} (byte {offset}): skipped, {message}")
            else:
                messages.append(message)
    return LoadedSession(
        info=summary.fold_into(info),
        messages=messages,
        last_seq=summary.last_seq,
        truncated=False,
        total_messages=len(messages),
        problems=problems,
    )


@dataclasses.dataclass
class _TailScan:
    """What the backward read of a tail found: its messages newest first, and the newest
    title, usage total and record time among the lines it read."""

    seqs: Summary  # for last_seq only; the fold order is backwards here
    stop: int  # offset of the oldest line read: the prefix before it is unread
    newest_first: list[Message] = dataclasses.field(default_factory=list)
    problems: list[str] = dataclasses.field(default_factory=list)
    title: str | None = None
    usage: dict[str, Any] | None = None
    last_time: str | None = None
    message_records: int = 0
    reached_start: bool = True

    def add(self, record: dict[str, Any], offset: int) -> None:
        """Take one record read backwards: a newer value already found wins."""
        kind = record.get("type")
        self.seqs.add(record)
        if self.last_time is None and isinstance(record.get("time"), str):
            self.last_time = record["time"]
        if kind == MESSAGE_ADDED:
            self.message_records += 1
            message = _message(record)
            if isinstance(message, str):
                self.problems.append(f"byte {offset}: skipped, {message}")
            else:
                self.newest_first.append(message)
        elif kind == TITLE_CHANGED and self.title is None and isinstance(record.get("title"), str):
            self.title = record["title"]
        elif kind == USAGE and self.usage is None and isinstance(record.get("total"), dict):
            self.usage = record["total"]

    def fold_over(self, fold: Summary) -> None:
        """What the tail says overrides the cache row and the prefix scan."""
        if self.title is not None:
            fold.title = self.title
        if self.usage is not None:
            fold.usage = self.usage
        if self.last_time is not None:
            fold.updated_at = self.last_time


def _scan_tail(f: BinaryIO, info: SessionInfo, header_len: int, end: int, tail: int) -> _TailScan:
    """Read lines backwards from `end` until `tail` messages are found or the header."""
    scan = _TailScan(Summary.from_header(info, header_len), stop=end)
    for offset, line, terminated in backward_lines(f, header_len, end):
        if len(scan.newest_first) >= tail:
            scan.reached_start = False
            break
        scan.stop = offset
        record = _decoded(line, terminated)
        if isinstance(record, str):
            scan.problems.append(f"byte {offset}: {record}")
        elif record is not None:
            scan.add(record, offset)
    return scan


def _fold_unread_prefix(
    f: BinaryIO, header_len: int, scan: _TailScan, cached: Summary | None, fold: Summary
) -> int:
    """Fold title, usage and seq of the prefix the tail did not read into `fold`, from a
    fresh cache row or else a substring scan; the total message count."""
    if cached is not None:
        fold.title, fold.usage = cached.title, cached.usage
        fold.last_seq = max(fold.last_seq, cached.last_seq)
        return max(cached.message_count, scan.message_records)
    count, prefix_title, prefix_usage = _scan_prefix(
        f, header_len, scan.stop, want_title=scan.title is None, want_usage=scan.usage is None
    )
    if prefix_title is not None:
        fold.title = prefix_title
    if prefix_usage is not None:
        fold.usage = prefix_usage
    return scan.message_records + count


def load_tail(
    f: BinaryIO,
    info: SessionInfo,
    header_len: int,
    end: int,
    tail: int,
    cached: Summary | None,
) -> LoadedSession:
    """The last `tail` messages, read backwards from the end in blocks.

    Title, usage and the total come from the scanned tail when it holds them, else from
    a fresh cache row, else from a substring scan of the unread prefix (no json.loads).
    `problems` covers the lines it read: damage further back shows in a full load.
    """
    scan = _scan_tail(f, info, header_len, end, tail)
    fold = Summary.from_header(info, header_len)
    fold.last_seq = scan.seqs.last_seq
    total = scan.message_records
    if not scan.reached_start:
        total = _fold_unread_prefix(f, header_len, scan, cached, fold)
    scan.fold_over(fold)
    messages = scan.newest_first[::-1]
    truncated = total > scan.message_records
    return LoadedSession(
        info=fold.fold_into(info),
        messages=messages,
        last_seq=fold.last_seq,
        truncated=truncated,
        total_messages=total if truncated else len(messages),
        problems=scan.problems,
    )


def _scan_prefix(
    f: BinaryIO, start: int, end: int, *, want_title: bool, want_usage: bool
) -> tuple[int, str | None, dict[str, Any] | None]:
    """(message count, last title, last usage total) of [start, end) by substring only."""
    count = 0
    titles: deque[bytes] = deque(maxlen=_CANDIDATES)
    usages: deque[bytes] = deque(maxlen=_CANDIDATES)
    for _offset, line, _terminated in forward_lines(f, start, end):
        if MESSAGE_MARK in line:
            count += 1
        elif want_title and TITLE_MARK in line:
            titles.append(line)
        elif want_usage and USAGE_MARK in line:
            usages.append(line)
    title = _last_field(titles, TITLE_CHANGED, "title", str)
    usage = _last_field(usages, USAGE, "total", dict)
    return count, title, usage


def _last_field(candidates: deque[bytes], kind: str, key: str, want: type[_T]) -> _T | None:
    """`record[key]` of the newest candidate line that really is a `kind` record holding
    a `want` there (a substring hit can be a false one, e.g. inside a message)."""
    for line in reversed(candidates):
        record = decode_line(line)
        if not isinstance(record, str) and record.get("type") == kind:
            value = record.get(key)
            if isinstance(value, want):
                return value
    return None


def summarize(f: BinaryIO, session_id: str, path: str, previous: Summary | None) -> Summary:
    """A summary valid for the file as it is now; reads only bytes past `previous.offset`
    when the previous summary is of this same file (same inode, not shrunk)."""
    st = os.fstat(f.fileno())
    summary = _resumable(previous, st)
    if summary is None:
        try:
            info, header_len = read_header(f, session_id, path)
        except HistoryCorruptError as exc:
            log.warning("%s", exc.message)
            return _corrupt_summary(session_id, st)
        summary = Summary.from_header(info, header_len)
    elif summary.backfill:
        _backfill_activity(f, summary)
    _fold_from_offset(f, summary, st.st_size)
    summary.size, summary.mtime_ns, summary.ino = st.st_size, st.st_mtime_ns, st.st_ino
    return summary.finish()


def _resumable(previous: Summary | None, st: os.stat_result) -> Summary | None:
    """A copy of `previous` to fold the new bytes into, when it is of this same file
    (same inode, not shrunk, header readable); None when the file must be read again."""
    if (
        previous is not None
        and not previous.corrupt
        and previous.ino == st.st_ino
        and 0 < previous.offset <= st.st_size
        and previous.size <= st.st_size
    ):
        return previous.copy()
    return None


def _corrupt_summary(session_id: str, st: os.stat_result) -> Summary:
    """The row of a file whose header cannot be read: listed, so the user can delete it."""
    moment = datetime.fromtimestamp(st.st_mtime, UTC).isoformat()
    summary = Summary(session_id, moment, "", "", "", moment, corrupt=True)
    summary.size, summary.mtime_ns, summary.ino = st.st_size, st.st_mtime_ns, st.st_ino
    return summary.finish()


def _fold_from_offset(f: BinaryIO, summary: Summary, end: int) -> None:
    """Fold every complete line of [summary.offset, end) into the summary."""
    for offset, line, terminated in forward_lines(f, summary.offset, end):
        if not terminated:
            break
        summary.offset = offset + len(line) + 1
        if line.strip():
            record = decode_line(line)
            if not isinstance(record, str):
                summary.add(record)


def _backfill_activity(f: BinaryIO, summary: Summary) -> None:
    """Gather the activity fields of the bytes an older cache row already covered.

    Only lines holding one of the activity records' marks are decoded (user messages
    only while no first prompt is known), so an upgraded cache costs one pass of
    substring checks, not a rebuild; title, counts and usage stay as the row had them.
    """
    for _offset, line, _terminated in forward_lines(f, 0, summary.offset):
        wanted = any(mark in line for mark in ACTIVITY_MARKS) or (
            not summary.first_prompt and MESSAGE_MARK in line)
        if wanted:
            record = decode_line(line)
            if not isinstance(record, str):
                summary.add_activity(record)
    summary.backfill = False
