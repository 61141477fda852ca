"""Full-text search over the sessions of one workspace: an FTS5 catalogue of their files.

`search.sqlite3` beside the session files holds one FTS5 row per searchable record
(message text, reasoning, tool names and arguments, tool output, edited file paths,
titles). It is only a cache of the JSONL files: each search first brings it up to date
with them (a stat per file; only new bytes are read, a replaced or shrunk file is read
again, a deleted one dropped), and a missing, foreign or corrupt catalogue is rebuilt.
Two processes may share it: sqlite serializes their writes, and each refresh re-reads
the bookkeeping inside its own write transaction.

Rows of one session get rowids `key << 20 | n`, so a session's rows are dropped with
one rowid range (FTS5 has no index on other columns). Keys follow the order sessions were
last written when they are first indexed, and new sessions get higher ones.

Keeping up costs a stat per session file, so a search looks at every file at most every
FULL_SCAN_SECONDS; in between it looks only at the sessions this process wrote (the store
marks them). Another process's writes are found by the next full look.

Ranking: bm25 over the newest CANDIDATES matching rows. A rare word's matches are all
candidates (exact ranking); for a word in every session, the newest of them are ranked
instead of all, which keeps a search within a few milliseconds over 10,000 sessions.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from tether.store.lines import forward_lines, read_first_line
from tether.store.paths import SESSION_SUFFIX, is_valid_session_id
from tether.store.records import MAX_HEADER_BYTES, decode_line

log = logging.getLogger(__name__)

CATALOGUE_FILE = "search.sqlite3"
FULL_SCAN_SECONDS = 2.0
CANDIDATES = 400
SCHEMA_VERSION = "1"
ROWS_PER_SESSION_BITS = 20
MAX_DOC_CHARS = 100_000  # a huge tool output is searchable by its first 100k characters
_OPEN, _CLOSE = "\x02", "\x03"  # snippet() markers, turned into highlight ranges

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files(
    session_id TEXT PRIMARY KEY, key INTEGER NOT NULL UNIQUE, ino INTEGER NOT NULL,
    size INTEGER NOT NULL, offset INTEGER NOT NULL, docs INTEGER NOT NULL,
    title TEXT NOT NULL, archived INTEGER NOT NULL DEFAULT 0);
CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5(
    body, kind UNINDEXED, tokenize = 'unicode61 remove_diacritics 2');
"""


@dataclass(frozen=True)
class Hit:
    session_id: str
    title: str
    snippet: str
    highlights: list[tuple[int, int]]
    kind: str
    archived: bool


def fts_query(text: str) -> str:
    """Every word of the user's text must appear (prefix match on each); no FTS syntax."""
    terms = [t.replace('"', '""') for t in text.split()]
    return " ".join(f'"{t}"*' for t in terms if t.strip('"'))


def record_texts(record: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(kind, text) of what a record says that a user may search for."""
    kind = record.get("type")
    if kind == "message_added":
        yield from _message_texts(record.get("message"))
    elif kind == "title_changed" and isinstance(record.get("title"), str):
        yield "title", record["title"]
    elif kind == "file_edited" and isinstance(record.get("uri"), str):
        yield "file", record["uri"]


def _message_texts(message: object) -> Iterator[tuple[str, str]]:
    """(kind, text) of each searchable part of a message; text is kinded by its role."""
    if not isinstance(message, dict) or not isinstance(message.get("parts"), list):
        return
    role = str(message.get("role", ""))
    for part in message["parts"]:
        if isinstance(part, dict):
            yield from _part_texts(part, role)


def _part_texts(part: dict[str, Any], role: str) -> Iterator[tuple[str, str]]:
    ptype = part.get("type")
    if ptype in ("text", "thinking") and isinstance(part.get("text"), str):
        yield role if ptype == "text" else "reasoning", part["text"]
    elif ptype == "tool_call":
        args = json.dumps(part.get("arguments"), ensure_ascii=False)
        yield "tool_call", f"{part.get('name', '')} {args}"
    elif ptype == "tool_result" and isinstance(part.get("content"), str):
        yield "tool_output", part["content"]
    elif ptype == "file" and isinstance(part.get("uri"), str):
        yield "file", part["uri"]


@dataclass
class _Indexed:
    """A session file's row in `files` while its new lines are being indexed."""

    key: int
    offset: int  # bytes indexed so far (always just after a newline)
    docs: int  # rows the session has in `docs`
    title: str
    archived: int


class SearchCatalogue:
    def __init__(self, path: Path, sessions_dir: Path) -> None:
        self.path = path
        self.sessions_dir = sessions_dir
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._ino = 0
        self._stamps: dict[str, tuple[int, int]] = {}  # what the catalogue holds, as we know
        self._scanned_at = float("-inf")
        self._dirty: set[str] = set()  # written by this process since the last look

    def look_at_every_file_next(self) -> None:
        """The next search stats every session file (what it does every few seconds)."""
        self._scanned_at = float("-inf")

    def touch(self, session_id: str) -> None:
        """The store wrote this session: the next search looks at it (cheap, no I/O)."""
        self._dirty.add(session_id)

    # -- connection -------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        """The open catalogue; reopened when its file was deleted or replaced."""
        try:
            ino = os.stat(self.path).st_ino
        except FileNotFoundError:
            ino = 0
        if self._conn is not None and ino == self._ino and ino:
            return self._conn
        self.close()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10.0, isolation_level=None,
                               check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(_SCHEMA)
            row = conn.execute("SELECT value FROM meta WHERE key='version'").fetchone()
            if row is None:
                conn.execute("INSERT OR IGNORE INTO meta VALUES('version', ?)", (SCHEMA_VERSION,))
            elif row[0] != SCHEMA_VERSION:
                raise sqlite3.DatabaseError(f"catalogue version {row[0]}")
        except BaseException:
            conn.close()
            raise
        self._conn, self._ino = conn, os.stat(self.path).st_ino
        return conn

    def close(self) -> None:
        if self._conn is not None:
            with suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None
        self._stamps, self._scanned_at = {}, float("-inf")

    def _discard(self) -> None:
        """Throw a damaged catalogue away; the next use rebuilds it from the files."""
        self.close()
        for suffix in ("", "-wal", "-shm"):
            with suppress(OSError):
                os.unlink(f"{self.path}{suffix}")

    # -- public -----------------------------------------------------------------------

    def search(self, query: str, limit: int, *, include_archived: bool = False) -> list[Hit]:
        match = fts_query(query)
        if not match:
            return []
        with self._lock:
            for attempt in (1, 2):
                try:
                    conn = self._connect()
                    self._refresh(conn)
                    return self._query(conn, match, limit, include_archived)
                except sqlite3.DatabaseError as exc:
                    if attempt == 2:
                        raise
                    log.warning("search catalogue %s unusable (%s); rebuilding", self.path, exc)
                    self._discard()
        return []

    def refresh(self) -> None:
        with self._lock:
            try:
                self._refresh(self._connect())
            except sqlite3.DatabaseError as exc:
                log.warning("search catalogue %s unusable (%s); rebuilding", self.path, exc)
                self._discard()
                self._refresh(self._connect())

    # -- keeping it current -----------------------------------------------------------

    def _files(self) -> dict[str, tuple[int, int]]:
        found: dict[str, tuple[int, int]] = {}
        try:
            entries = os.scandir(self.sessions_dir)
        except FileNotFoundError:
            return found
        with entries:
            for entry in entries:
                name = entry.name
                if not name.endswith(SESSION_SUFFIX) or name.startswith("."):
                    continue
                session_id = name[: -len(SESSION_SUFFIX)]
                if not is_valid_session_id(session_id):
                    continue
                try:
                    st = entry.stat()
                except OSError:
                    continue
                found[session_id] = (st.st_ino, st.st_size)
        return found

    def _stat(self, session_ids: set[str]) -> dict[str, tuple[int, int]]:
        found: dict[str, tuple[int, int]] = {}
        for session_id in session_ids:
            try:
                st = os.stat(self.sessions_dir / f"{session_id}{SESSION_SUFFIX}")
            except OSError:
                continue
            found[session_id] = (st.st_ino, st.st_size)
        return found

    def _refresh(self, conn: sqlite3.Connection) -> None:
        if not self._stamps:
            self._stamps = {r[0]: (r[1], r[2]) for r in
                            conn.execute("SELECT session_id, ino, size FROM files")}
        on_disk, looked = self._look()
        known = self._stamps
        stale = [sid for sid, stamp in on_disk.items() if known.get(sid) != stamp]
        gone = [sid for sid in looked if sid in known and sid not in on_disk]
        if not stale and not gone:
            return
        stale.sort(key=lambda sid: self._mtime(sid))  # keys in the order of last writes
        self._rewrite(conn, gone, stale)
        for session_id in gone:
            known.pop(session_id, None)
        known.update((sid, on_disk[sid]) for sid in stale)

    def _look(self) -> tuple[dict[str, tuple[int, int]], set[str]]:
        """(stamps found on disk, ids looked at): every file every FULL_SCAN_SECONDS, else
        only the sessions this process wrote since the last look."""
        dirty, self._dirty = self._dirty, set()
        now = time.monotonic()
        if now - self._scanned_at >= FULL_SCAN_SECONDS:
            on_disk = self._files()
            self._scanned_at = now
            return on_disk, set(self._stamps) | set(on_disk)
        return self._stat(dirty), dirty

    def _rewrite(self, conn: sqlite3.Connection, gone: list[str], stale: list[str]) -> None:
        """Drop the gone sessions and re-index the stale ones in one write transaction."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            for session_id in gone:
                self._drop(conn, session_id)
            for session_id in stale:
                self._index(conn, session_id)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            self._stamps = {}  # re-read from the catalogue next time
            raise

    def _mtime(self, session_id: str) -> int:
        try:
            return os.stat(self.sessions_dir / f"{session_id}{SESSION_SUFFIX}").st_mtime_ns
        except OSError:
            return 0

    @staticmethod
    def _drop(conn: sqlite3.Connection, session_id: str) -> None:
        row = conn.execute("SELECT key FROM files WHERE session_id=?", (session_id,)).fetchone()
        if row is None:
            return
        low = row[0] << ROWS_PER_SESSION_BITS
        conn.execute("DELETE FROM docs WHERE rowid BETWEEN ? AND ?",
                     (low, low + (1 << ROWS_PER_SESSION_BITS) - 1))
        conn.execute("DELETE FROM files WHERE session_id=?", (session_id,))

    def _index(self, conn: sqlite3.Connection, session_id: str) -> None:
        """Bring one session's rows up to date (re-checked inside the write transaction)."""
        row = conn.execute("SELECT key, ino, size, offset, docs, title, archived FROM files "
                           "WHERE session_id=?", (session_id,)).fetchone()
        path = self.sessions_dir / f"{session_id}{SESSION_SUFFIX}"
        try:
            with open(path, "rb") as f:
                self._index_file(conn, session_id, row, f)
        except FileNotFoundError:
            self._drop(conn, session_id)

    def _index_file(self, conn: sqlite3.Connection, session_id: str, row: Any,
                    f: BinaryIO) -> None:
        st = os.fstat(f.fileno())
        if row is not None and row[1] == st.st_ino and row[3] <= st.st_size >= row[2]:
            state = _Indexed(key=row[0], offset=row[3], docs=row[4], title=row[5],
                             archived=row[6])
        else:
            if row is not None:
                self._drop(conn, session_id)
            state = self._start_file(conn, f, st.st_size)
        for at, line, terminated in forward_lines(f, state.offset, st.st_size):
            if not terminated:
                break
            state.offset = at + len(line) + 1
            record = decode_line(line) if line.strip() else ""
            if not isinstance(record, str):
                self._add_record(conn, state, record)
        conn.execute("INSERT OR REPLACE INTO files VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
                     (session_id, state.key, st.st_ino, st.st_size, state.offset, state.docs,
                      state.title, state.archived))

    def _start_file(self, conn: sqlite3.Connection, f: BinaryIO, size: int) -> _Indexed:
        """A new key for a file read from its start: the header's title is its first row."""
        key = conn.execute("SELECT coalesce(max(key), 0) + 1 FROM files").fetchone()[0]
        first = read_first_line(f, MAX_HEADER_BYTES)
        header = decode_line(first)
        session = header.get("session") if isinstance(header, dict) else None
        title = str(session.get("title", "")) if isinstance(session, dict) else ""
        state = _Indexed(key=key, offset=len(first) if first.endswith(b"\n") else size,
                         docs=0, title=title, archived=0)
        if title:
            state.docs = self._add(conn, key, state.docs, "title", title)
        return state

    def _add_record(self, conn: sqlite3.Connection, state: _Indexed,
                    record: dict[str, Any]) -> None:
        """The record's searchable texts as rows; the title and archived flag it sets."""
        if record.get("type") == "title_changed" and isinstance(record.get("title"), str):
            state.title = record["title"]
        elif record.get("type") == "archive_changed":
            state.archived = int(bool(record.get("archived")))
        for kind, text in record_texts(record):
            state.docs = self._add(conn, state.key, state.docs, kind, text)

    @staticmethod
    def _add(conn: sqlite3.Connection, key: int, docs: int, kind: str, text: str) -> int:
        if not text.strip() or docs >= (1 << ROWS_PER_SESSION_BITS):
            return docs
        conn.execute("INSERT INTO docs(rowid, body, kind) VALUES(?, ?, ?)",
                     ((key << ROWS_PER_SESSION_BITS) | docs, text[:MAX_DOC_CHARS], kind))
        return docs + 1

    # -- querying ---------------------------------------------------------------------

    @staticmethod
    def _query(conn: sqlite3.Connection, match: str, limit: int,
               include_archived: bool) -> list[Hit]:
        newest = conn.execute("SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY rowid DESC "
                              "LIMIT 1 OFFSET ?", (match, CANDIDATES - 1)).fetchone()
        floor = newest[0] if newest is not None else 0
        rows = conn.execute(
            f"SELECT rowid >> {ROWS_PER_SESSION_BITS}, kind, "
            f"snippet(docs, 0, '{_OPEN}', '{_CLOSE}', '…', 12) "
            "FROM docs WHERE docs MATCH ? AND rowid >= ? ORDER BY rank", (match, floor)).fetchall()
        keys = sorted({row[0] for row in rows})
        sessions: dict[int, tuple[str, str, bool]] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for key, session_id, title, archived in conn.execute(
                    f"SELECT key, session_id, title, archived FROM files WHERE key IN ({marks})",
                    chunk):
                sessions[key] = (session_id, title, bool(archived))
        hits: list[Hit] = []
        seen: set[int] = set()
        for key, kind, snippet in rows:
            if key in seen or key not in sessions:
                continue
            session_id, title, archived = sessions[key]
            if archived and not include_archived:
                continue
            seen.add(key)
            text, ranges = _highlights(snippet)
            hits.append(Hit(session_id, title, text, ranges, kind, archived))
            if len(hits) >= limit:
                break
        return hits


def _highlights(marked: str) -> tuple[str, list[tuple[int, int]]]:
    out: list[str] = []
    ranges: list[tuple[int, int]] = []
    length = 0
    start = -1
    for ch in marked:
        if ch == _OPEN:
            start = length
        elif ch == _CLOSE:
            if start >= 0:
                ranges.append((start, length))
            start = -1
        else:
            out.append(ch)
            length += 1
    return " ".join("".join(out).split("\n")), ranges
