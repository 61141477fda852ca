"""Seqs and the newest records of a history file: what sharing a session needs.

Pure readers over a byte range (like `reader.py`) plus the numbering of records, used by
`JsonlStore` under the session's lock: the highest seq in a file, seqs for new records,
the records another process appended after an offset, and the records of the newest turn.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import islice
from typing import Any, BinaryIO

from tether.protocol.events import EventBase
from tether.store.base import StoredRecord
from tether.store.compact import is_compact_start
from tether.store.lines import backward_lines, forward_lines
from tether.store.records import TURN_STARTED, decode_line

TAIL_SEQ_LINES = 256  # lines read back to find the highest seq of a file we have not seen
TURN_SCAN_LINES = 20_000  # how far back newest_turn looks for the newest turn_started


def max_seq(lines: Iterable[tuple[int, bytes, bool]]) -> int:
    """The highest int seq among whole, readable lines (0 for none)."""
    highest = 0
    for _offset, line, terminated in lines:
        if not terminated or b'"seq":' not in line:
            continue
        record = decode_line(line)
        if isinstance(record, str):
            continue
        seq = record.get("seq")
        if isinstance(seq, int) and not isinstance(seq, bool) and seq > highest:
            highest = seq
    return highest


def tail_seq(f: BinaryIO, header_len: int, end: int) -> int:
    """The highest seq near the end of a file (its records are in seq order)."""
    return max_seq(islice(backward_lines(f, header_len, end), TAIL_SEQ_LINES))


def numbered(records: Sequence[EventBase | Mapping[str, Any]], first: int
             ) -> list[EventBase | Mapping[str, Any]]:
    """The records with seqs first, first + 1, ...; events are numbered in place, so the
    caller publishes them with the seq they were stored under."""
    out: list[EventBase | Mapping[str, Any]] = []
    for seq, record in enumerate(records, start=first):
        if isinstance(record, EventBase):
            record.seq = seq
            out.append(record)
        else:
            out.append({**record, "seq": seq})
    return out


def records_after(f: BinaryIO, offset: int, end: int) -> tuple[list[StoredRecord], int]:
    """Whole records in [offset, end) and the offset after the last one taken.

    A trailing turn_started stored without its prompt waits for the user message that
    carries it (about to be written), so a reader never shows a turn without its prompt.
    """
    records: list[StoredRecord] = []
    reached = offset
    for at, line, terminated in forward_lines(f, offset, end):
        if not terminated:
            break  # a write in flight (or a torn tail): read it next time
        reached = at + len(line) + 1
        record = decode_line(line) if line.strip() else "an empty line"
        if isinstance(record, str):
            continue
        records.append(StoredRecord(record, reached))
    if records and is_compact_start(records[-1].record):
        records.pop()
        reached = records[-1].end if records else offset
    return records, reached


def newest_turn(f: BinaryIO, header_len: int, end: int) -> list[dict[str, Any]]:
    """The records from the newest turn_started to the end, oldest first ([] if none)."""
    newest_first: list[dict[str, Any]] = []
    for _offset, line, terminated in islice(backward_lines(f, header_len, end),
                                            TURN_SCAN_LINES):
        record = decode_line(line) if terminated and line.strip() else ""
        if isinstance(record, str):
            continue
        newest_first.append(record)
        if record.get("type") == TURN_STARTED:
            newest_first.reverse()
            return newest_first
    return []
