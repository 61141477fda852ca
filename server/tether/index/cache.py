"""Where the index of a folder is persisted, and opening it safely.

The cache is one SQLite database per workspace folder: every write is a transaction, so
it is never half-written, and a second `tether` process on the same folder is serialized
by SQLite's own locking. On open it is validated (schema version, tables, a quick
structural check); anything wrong means it is deleted and rebuilt, never a crash.
"""

from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
from pathlib import Path

from filelock import FileLock

from tether.store.paths import data_root
from tether.workspace.folder import WorkspaceFolder

log = logging.getLogger(__name__)

SCHEMA_VERSION = 7  # bump when extraction changes: old caches rebuild
DB_NAME = "index.sqlite3"
LOCK_NAME = "index.lock"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files(
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    hash TEXT NOT NULL,
    language TEXT,
    skip_reason TEXT,
    has_error INTEGER NOT NULL DEFAULT 0,
    nsymbols INTEGER NOT NULL DEFAULT 0,
    pending_symbols INTEGER NOT NULL DEFAULT 0  -- text indexed, symbol pass not yet done
);
CREATE TABLE symbols(
    file_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    line INTEGER NOT NULL,
    col INTEGER NOT NULL,
    end_line INTEGER NOT NULL,
    container TEXT,
    signature TEXT NOT NULL
);
CREATE INDEX symbols_by_name ON symbols(name);
CREATE INDEX symbols_by_lower_name ON symbols(lower(name));
CREATE INDEX symbols_by_file ON symbols(file_id);
CREATE TABLE refs(file_id INTEGER NOT NULL, name TEXT NOT NULL, count INTEGER NOT NULL);
CREATE INDEX refs_by_file ON refs(file_id);
CREATE TABLE chunks(id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, start_line INTEGER NOT NULL);
CREATE INDEX chunks_by_file ON chunks(file_id);
CREATE VIRTUAL TABLE fts USING fts5(
    path, symbols, idents, body,
    tokenize = "unicode61 remove_diacritics 2"
);
"""

_TABLES = {"meta", "files", "symbols", "refs", "chunks", "fts"}


def default_cache_dir(folder: WorkspaceFolder) -> Path:
    """`<data dir>/index/<readable-name>-<hash12>`; TETHER_DATA_DIR moves the data dir."""
    digest = hashlib.sha256(str(folder.root).encode("utf-8", "surrogateescape")).hexdigest()
    readable = _UNSAFE.sub("_", folder.name).strip("._-")[:40] or "root"
    return data_root() / "index" / f"{readable}-{digest[:12]}"


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=10.0, check_same_thread=False, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA temp_store=MEMORY")
    except sqlite3.DatabaseError:
        conn.close()
        raise
    return conn


def _validate(conn: sqlite3.Connection, root: str) -> str | None:
    """Why this database cannot be used (None: it can)."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == 0:
        return "empty"
    if version != SCHEMA_VERSION:
        return f"schema version {version}, expected {SCHEMA_VERSION}"
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not names >= _TABLES:
        return f"missing tables {sorted(_TABLES - names)}"
    row = conn.execute("SELECT value FROM meta WHERE key='root'").fetchone()
    if row is None or row[0] != root:
        return "built for another folder"
    # No full integrity scan here (it costs more than a warm start): damage found later
    # raises sqlite3.DatabaseError, and the build then discards the cache (recover()).
    conn.execute("SELECT count(*) FROM files").fetchone()
    return None


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def open_cache(
    cache_dir: Path, root: str, discard: str | None = None
) -> tuple[sqlite3.Connection, str | None]:
    """A validated index database for `root`, and why a previous one was discarded, if so.

    `discard` forces a fresh database (the old one failed in use, for that reason).
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Two tether processes may open one folder at once: one creates, the other waits.
    with FileLock(str(cache_dir / LOCK_NAME), timeout=60):
        return _open_locked(cache_dir, root, discard)


def _open_locked(
    cache_dir: Path, root: str, discard: str | None
) -> tuple[sqlite3.Connection, str | None]:
    path = cache_dir / DB_NAME
    discarded: str | None = None
    conn: sqlite3.Connection | None = None
    try:
        conn = connect(path)
        problem = discard or _validate(conn, root)
    except sqlite3.DatabaseError as exc:
        problem = f"unreadable: {exc}"
    if problem is None and conn is not None:
        return conn, None
    if problem != "empty":
        discarded = problem
        log.warning("index cache %s discarded (%s); rebuilding", path, problem)
    if conn is not None:
        conn.close()
    _remove(path)
    conn = connect(path)
    with conn:
        conn.execute("BEGIN")
        for statement in SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute("INSERT INTO meta(key, value) VALUES ('root', ?)", (root,))
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    return conn, discarded
