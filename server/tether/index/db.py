"""The index database: writes of scan results, and the raw reads search and the map need.

One writer connection and one reader connection, each behind its own lock, so a search
reads the last committed batch while a build is still writing (WAL mode). Every method is
blocking and meant to run in a worker thread, never on the event loop.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from tether.index.cache import open_cache
from tether.index.scan import PARSE_ERROR, VANISHED, FileResult, Known
from tether.index.symbol_pass import SymbolResult


class FileRow(NamedTuple):
    id: int
    known: Known
    skip_reason: str | None


class IndexDB:
    def __init__(self, cache_dir: Path, root: str, discard: str | None = None) -> None:
        self._write, self.discarded = open_cache(cache_dir, root, discard)
        self._read = sqlite3.connect(
            cache_dir / "index.sqlite3", timeout=10.0, check_same_thread=False,
            isolation_level=None,
        )
        self._wlock = threading.Lock()
        self._rlock = threading.Lock()
        self._next_chunk = 1

    def close(self) -> None:
        with self._wlock, self._rlock:
            self._read.close()
            self._write.close()

    # -- writes -------------------------------------------------------------------------

    def known_files(self) -> dict[str, FileRow]:
        with self._wlock:
            rows = self._write.execute(
                "SELECT path, id, size, mtime_ns, hash, skip_reason FROM files"
            ).fetchall()
        return {p: FileRow(i, Known(s, m, h), r) for p, i, s, m, h, r in rows}

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """The write connection inside one immediate transaction, rolled back on any error."""
        with self._wlock:
            conn = self._write
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def apply(self, results: Iterable[FileResult]) -> None:
        """Store a batch of scan results in one transaction."""
        with self._transaction() as conn:
            # Read under the write lock: another process may have added chunks.
            row = conn.execute("SELECT coalesce(max(id), 0) FROM chunks").fetchone()
            self._next_chunk = int(row[0]) + 1
            for result in results:
                self._apply_one(conn, result)

    def _apply_one(self, conn: sqlite3.Connection, r: FileResult) -> None:
        if r.status == "unchanged":
            return
        if r.status == "touched":
            conn.execute(
                "UPDATE files SET size=?, mtime_ns=? WHERE path=?", (r.size, r.mtime_ns, r.path)
            )
            return
        if r.status == "skipped" and r.reason == VANISHED:
            self._delete(conn, r.path)
            return
        values = (r.size, r.mtime_ns, r.hash, r.language,
                  r.reason if r.status == "skipped" else None, int(r.has_error), len(r.symbols),
                  int(r.pending_symbols and r.status != "skipped"))
        row = conn.execute("SELECT id FROM files WHERE path=?", (r.path,)).fetchone()
        if row is None:
            cursor = conn.execute(
                "INSERT INTO files(size, mtime_ns, hash, language, skip_reason, has_error,"
                " nsymbols, pending_symbols, path) VALUES (?,?,?,?,?,?,?,?,?)", (*values, r.path),
            )
            file_id = int(cursor.lastrowid or 0)
        else:
            file_id = int(row[0])
            self._clear_content(conn, file_id)
            conn.execute(
                "UPDATE files SET size=?, mtime_ns=?, hash=?, language=?, skip_reason=?,"
                " has_error=?, nsymbols=?, pending_symbols=? WHERE id=?", (*values, file_id),
            )
        if r.status == "skipped":
            return
        conn.executemany(
            "INSERT INTO symbols(file_id, name, kind, line, col, end_line, container, signature)"
            " VALUES (?,?,?,?,?,?,?,?)",
            [(file_id, *s) for s in r.symbols],
        )
        conn.executemany(
            "INSERT INTO refs(file_id, name, count) VALUES (?,?,?)",
            [(file_id, name, count) for name, count in r.refs.items()],
        )
        first = self._next_chunk
        self._next_chunk += len(r.chunks)
        conn.executemany(
            "INSERT INTO chunks(id, file_id, start_line) VALUES (?,?,?)",
            [(first + i, file_id, c.start_line) for i, c in enumerate(r.chunks)],
        )
        conn.executemany(
            "INSERT INTO fts(rowid, path, symbols, idents, body) VALUES (?,?,?,?,?)",
            [(first + i, c.path_text, c.symbol_text, c.ident_text, c.body)
             for i, c in enumerate(r.chunks)],
        )

    def pending_symbols(self) -> list[tuple[str, str]]:
        """(path, hash) of the files whose symbol pass has not run yet."""
        with self._wlock:
            rows = self._write.execute(
                "SELECT path, hash FROM files WHERE pending_symbols=1 AND skip_reason IS NULL"
                " ORDER BY path"
            ).fetchall()
        return [(str(p), str(h)) for p, h in rows]

    def apply_symbols(self, results: Iterable[SymbolResult]) -> None:
        """Store a batch of the symbol pass in one transaction (stale versions skipped)."""
        with self._transaction() as conn:
            for r in results:
                self._apply_symbols_one(conn, r)

    @staticmethod
    def _apply_symbols_one(conn: sqlite3.Connection, r: SymbolResult) -> None:
        row = conn.execute(
            "SELECT id FROM files WHERE path=? AND hash=? AND pending_symbols=1", (r.path, r.hash)
        ).fetchone()
        if row is None:  # changed, deleted or re-indexed since the text pass
            return
        file_id = int(row[0])
        conn.executemany(
            "INSERT INTO symbols(file_id, name, kind, line, col, end_line, container, signature)"
            " VALUES (?,?,?,?,?,?,?,?)", [(file_id, *s) for s in r.symbols],
        )
        conn.executemany(
            "INSERT INTO refs(file_id, name, count) VALUES (?,?,?)",
            [(file_id, name, count) for name, count in r.refs.items()],
        )
        conn.execute("UPDATE files SET nsymbols=?, has_error=?, pending_symbols=0 WHERE id=?",
                     (len(r.symbols), int(r.has_error), file_id))

    @staticmethod
    def _clear_content(conn: sqlite3.Connection, file_id: int) -> None:
        chunk_ids = conn.execute("SELECT id FROM chunks WHERE file_id=?", (file_id,)).fetchall()
        conn.executemany("DELETE FROM fts WHERE rowid=?", chunk_ids)
        conn.execute("DELETE FROM chunks WHERE file_id=?", (file_id,))
        conn.execute("DELETE FROM symbols WHERE file_id=?", (file_id,))
        conn.execute("DELETE FROM refs WHERE file_id=?", (file_id,))

    def _delete(self, conn: sqlite3.Connection, path: str) -> None:
        row = conn.execute("SELECT id FROM files WHERE path=?", (path,)).fetchone()
        if row is not None:
            self._clear_content(conn, int(row[0]))
            conn.execute("DELETE FROM files WHERE id=?", (row[0],))

    def delete_paths(self, paths: Iterable[str]) -> None:
        with self._transaction() as conn:
            for path in paths:
                self._delete(conn, path)

    def delete_under(self, directories: Iterable[str]) -> None:
        """Forget every file below these relative directories."""
        with self._transaction() as conn:
            for directory in directories:
                # '/' + 1 == '0': a range scan of the path index finds exactly "dir/...".
                rows = conn.execute(
                    "SELECT path FROM files WHERE path >= ? AND path < ?",
                    (directory + "/", directory + "0"),
                ).fetchall()
                for (path,) in rows:
                    self._delete(conn, path)

    def bulk_mode(self, on: bool) -> None:
        """Big builds: no fsync and no checkpoints while writing, one checkpoint at the end.

        The cache can always be rebuilt, so the only risk (an OS crash mid-build damaging
        the file) ends in a rebuild, which open_cache already handles.
        """
        with self._wlock:
            if on:
                self._write.execute("PRAGMA synchronous=OFF")
                self._write.execute("PRAGMA wal_autocheckpoint=0")
            else:
                self._write.execute("PRAGMA synchronous=NORMAL")
                self._write.execute("PRAGMA wal_autocheckpoint=1000")
                self._write.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def set_meta(self, key: str, value: str) -> None:
        with self._wlock:
            self._write.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value=excluded.value", (key, value)
            )

    # -- reads --------------------------------------------------------------------------

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        with self._rlock:
            return self._read.execute(sql, params).fetchall()

    def meta(self, key: str) -> str | None:
        rows = self.query("SELECT value FROM meta WHERE key=?", (key,))
        return str(rows[0][0]) if rows else None

    def totals(self) -> tuple[int, int]:
        """(indexed files, symbols), cheaply: one pass over the files table."""
        files, symbols = self.query(
            "SELECT count(*), coalesce(sum(nsymbols), 0) FROM files WHERE skip_reason IS NULL"
        )[0]
        return int(files), int(symbols)

    def counts(self) -> tuple[int, int, Counter[str]]:
        """(indexed files, symbols, skipped files by reason) as committed."""
        files, symbols = self.totals()
        skipped: Counter[str] = Counter()
        for reason, n in self.query(
            "SELECT skip_reason, count(*) FROM files WHERE skip_reason IS NOT NULL"
            " GROUP BY skip_reason"
        ):
            skipped[reason] = n
        errors = self.query("SELECT count(*) FROM files WHERE has_error=1 AND skip_reason IS NULL")
        if errors[0][0]:
            skipped[PARSE_ERROR] = int(errors[0][0])
        return files, symbols, skipped
