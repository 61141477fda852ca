"""The summary cache: one JSON file per workspace so listing never parses whole histories.

Each row is a `Summary` stamped with the session file's size, mtime_ns and inode; a row
whose stamp no longer matches the file is stale and gets rebuilt from that file alone.
The cache is only ever an optimisation: a missing, corrupt or foreign cache file is
rebuilt, never reported as an error. Writes are atomic (tmp + os.replace); two processes
writing it race harmlessly (last writer wins, the loser's rows are rebuilt later).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

from tether.store.paths import write_atomic
from tether.store.records import Summary, parse_time

log = logging.getLogger(__name__)

CACHE_FILE = "summaries.json"
CACHE_VERSION = 1

# Row layout (a list, not a dict: a 10k-session cache loads noticeably faster).
_ROW: tuple[tuple[str, type], ...] = (
    ("size", int),
    ("mtime_ns", int),
    ("ino", int),
    ("offset", int),
    ("created_at", str),
    ("updated_at", str),
    ("updated_ts", float),
    ("title", str),
    ("model", str),
    ("workspace_folder", str),
    ("message_count", int),
    ("last_seq", int),
    ("usage", dict),
    ("corrupt", bool),
)
_ROW_NAMES = tuple(name for name, _ in _ROW)
_ROW_TYPES = tuple(kind for _, kind in _ROW)

Stamp = tuple[int, int, int]  # size, mtime_ns, ino


def stamp_of(st: os.stat_result) -> Stamp:
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def summary_stamp(summary: Summary) -> Stamp:
    return (summary.size, summary.mtime_ns, summary.ino)


class SummaryCache:
    """The cache file of one workspace, memoised in memory while the file is unchanged."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._rows: dict[str, Summary] = {}
        self._file_stamp: Stamp | None = None

    def load(self) -> dict[str, Summary]:
        """A copy of the rows (empty when the file is missing or unusable)."""
        with self._lock:
            try:
                st = os.stat(self.path)
            except OSError:
                self._rows, self._file_stamp = {}, None
                return {}
            if stamp_of(st) != self._file_stamp:
                self._rows = self._read()
                self._file_stamp = stamp_of(st)
            return dict(self._rows)

    def get(self, session_id: str) -> Summary | None:
        return self.load().get(session_id)

    def save(self, rows: dict[str, Summary]) -> None:
        """Write all rows atomically; failure only costs a rebuild later, so it is logged."""
        body = {
            "version": CACHE_VERSION,
            "sessions": {
                sid: [getattr(row, name) for name in _ROW_NAMES] for sid, row in rows.items()
            },
        }
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(self.path, data)
                self._file_stamp = stamp_of(os.stat(self.path))
            except OSError as exc:
                log.warning("cannot write the session summary cache %s: %s", self.path, exc)
                self._file_stamp = None
                return
            self._rows = dict(rows)

    def _read(self) -> dict[str, Summary]:
        try:
            raw: Any = json.loads(self.path.read_bytes())
        except (OSError, ValueError) as exc:
            log.warning("session summary cache %s unreadable, rebuilding: %s", self.path, exc)
            return {}
        if not (
            isinstance(raw, dict)
            and raw.get("version") == CACHE_VERSION
            and isinstance(raw.get("sessions"), dict)
        ):
            log.warning("session summary cache %s has an unknown shape, rebuilding", self.path)
            return {}
        rows: dict[str, Summary] = {}
        dropped = 0
        width = len(_ROW)
        for sid, row in raw["sessions"].items():
            if (
                isinstance(row, list)
                and len(row) == width
                and all(type(v) is t for v, t in zip(row, _ROW_TYPES, strict=True))
                and parse_time(row[4]) is not None
                and parse_time(row[5]) is not None
            ):
                rows[sid] = Summary(session_id=sid, **dict(zip(_ROW_NAMES, row, strict=True)))
            else:
                dropped += 1
        if dropped:
            log.warning("session summary cache %s: %d bad rows dropped", self.path, dropped)
        return rows
