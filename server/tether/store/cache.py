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

from tether.store.paths import is_valid_session_id, open_regular, write_atomic
from tether.store.records import Summary

log = logging.getLogger(__name__)

CACHE_FILE = "summaries.json"
CACHE_VERSION = 4

# Row layout: Summary's fields after session_id, in order (a list, not a dict: a
# 10k-session cache loads noticeably faster). usage is a list in USAGE_KEYS order, and
# workspace_folder is "" when it is the store's own folder (almost always).
_V3_ROW: tuple[tuple[str, type], ...] = (
    ("created_at", str),
    ("title", str),
    ("model", str),
    ("workspace_folder", str),
    ("updated_at", str),
    ("usage", list),
    ("message_count", int),
    ("last_seq", int),
    ("offset", int),
    ("size", int),
    ("mtime_ns", int),
    ("ino", int),
    ("corrupt", bool),
    ("updated_ts", float),
    ("archived", bool),
)
# Version 4 adds what the session did (store/activity.py). A version-3 row is upgraded,
# not dropped: its fields are kept and the new ones gathered once from the bytes it
# covered (Summary.backfill), so an upgrade decodes only the few lines that matter.
_ROW = (
    *_V3_ROW,
    ("first_prompt", str),
    ("files", list),
    ("last_turn", str),
    ("last_turn_reason", str),
)
ROW_FIELDS = tuple(name for name, _ in _ROW)
_LAYOUTS = {3: [kind for _, kind in _V3_ROW], CACHE_VERSION: [kind for _, kind in _ROW]}
_USAGE_AT = ROW_FIELDS.index("usage")
_FOLDER_AT = ROW_FIELDS.index("workspace_folder")
_FILES_AT = ROW_FIELDS.index("files")
USAGE_KEYS = (
    "promptTokens",
    "completionTokens",
    "totalTokens",
    "cacheReadTokens",
    "cacheWriteTokens",
)

Stamp = tuple[int, int, int]  # size, mtime_ns, ino


def stamp_of(st: os.stat_result) -> Stamp:
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def summary_stamp(summary: Summary) -> Stamp:
    return (summary.size, summary.mtime_ns, summary.ino)


class SummaryCache:
    """The cache file of one workspace, memoised in memory while the file is unchanged."""

    def __init__(self, path: Path, folder: str) -> None:
        self.path = path
        self.folder = folder
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
            "sessions": {sid: self._encode(row) for sid, row in rows.items()},
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

    def _encode(self, row: Summary) -> list[Any]:
        values: list[Any] = [getattr(row, name) for name in ROW_FIELDS]
        values[_USAGE_AT] = [row.usage.get(key, 0) for key in USAGE_KEYS]
        values[_FILES_AT] = list(row.files)
        if row.workspace_folder == self.folder:
            values[_FOLDER_AT] = ""
        return values

    def _read(self) -> dict[str, Summary]:
        raw = self._read_json()
        version = raw.get("version") if isinstance(raw, dict) else None
        layout = _LAYOUTS.get(version) if isinstance(version, int) else None
        if layout is None or not isinstance(raw.get("sessions"), dict):
            if raw is not None:
                log.warning("session summary cache %s has an unknown shape, rebuilding",
                            self.path)
            return {}
        rows: dict[str, Summary] = {}
        dropped = 0
        for sid, row in raw["sessions"].items():
            summary = self._decode(sid, row, layout)
            if summary is None:
                dropped += 1
            else:
                rows[sid] = summary
        if dropped:
            log.warning("session summary cache %s: %d bad rows dropped", self.path, dropped)
        return rows

    def _read_json(self) -> Any:
        """The file's JSON, or None (logged) when it cannot be read or parsed."""
        try:
            with os.fdopen(open_regular(self.path), "rb") as f:  # a FIFO here must not hang
                return json.loads(f.read())
        except (OSError, ValueError, RecursionError) as exc:
            log.warning("session summary cache %s unreadable, rebuilding: %s", self.path, exc)
            return None

    def _decode(self, sid: str, row: Any, layout: list[type]) -> Summary | None:
        """The Summary of one stored row in `layout`; None when it does not fit it."""
        if not (
            type(row) is list
            and list(map(type, row)) == layout
            and is_valid_session_id(sid)
        ):
            return None
        row[_USAGE_AT] = dict(zip(USAGE_KEYS, row[_USAGE_AT], strict=False))
        row[_FOLDER_AT] = row[_FOLDER_AT] or self.folder
        summary = Summary(sid, *row)
        if len(row) < len(_ROW):
            summary.backfill = True  # an older layout's row: see _ROW
        elif summary.files and not all(type(name) is str for name in summary.files):
            return None
        return summary
