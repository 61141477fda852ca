"""The JSONL history store of one workspace folder (implements `SessionStore`).

Layout under the workspace's data folder:

    workspace.json            the canonical folder path (for humans and debugging)
    sessions/<id>.jsonl       header line, then one durable record per line, append-only
    sessions/<id>.lock        cross-process lock serializing appends to that session
    summaries.json            the rebuildable listing cache (see cache.py)

Appends take the session's file lock, write all their lines with one write call and
fsync when asked; readers take the same lock only for the instant it takes to read the
file size, then read up to that size, so they never see half a record in flight.
"""

from __future__ import annotations

import builtins
import errno
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, BinaryIO, Literal

from tether.errors import InvalidParamsError, SessionNotFoundError, StoreError
from tether.protocol.events import EventBase
from tether.protocol.models import SessionInfo, SessionSummary
from tether.store.base import DEFAULT_TAIL, Appended, LoadedSession, StoredRecord
from tether.store.cache import CACHE_FILE, SummaryCache, stamp_of, summary_stamp
from tether.store.compact import inflate
from tether.store.context_scan import scan_context_records
from tether.store.export import to_json, to_markdown
from tether.store.lines import forward_lines
from tether.store.listing import current_summaries, decode_cursor, page_of
from tether.store.locks import CHANGES_SUFFIX, TURN_SUFFIX, SessionLocks, TurnLease
from tether.store.paths import (
    O_BINARY,
    SESSION_SUFFIX,
    SESSIONS_DIR,
    check_session_id,
    ensure_workspace_dir,
    fsync_dir,
    is_regular,
    is_valid_session_id,
    open_regular,
    store_error,
    temp_name,
    write_all,
)
from tether.store.reader import load_full, load_tail, read_header
from tether.store.records import (
    MESSAGE_ADDED,
    TITLE_CHANGED,
    Summary,
    decode_line,
    encode_header,
    encode_record,
)
from tether.store.search import CATALOGUE_FILE, Hit, SearchCatalogue
from tether.store.sequence import max_seq, newest_turn, numbered, records_after, tail_seq
from tether.workspace.folder import WorkspaceFolder

log = logging.getLogger(__name__)

LOCK_TIMEOUT = 30.0  # an append holds the lock for one write (+ fsync); this is a hang
READ_LOCK_TIMEOUT = 2.0  # readers fall back to the size they see rather than wait longer
# link() failures that mean "this file system has no hard links", not "cannot write"
_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK}


class JsonlStore:
    """Append-only JSONL history of the sessions of one workspace folder."""

    def __init__(self, folder: WorkspaceFolder, base: Path) -> None:
        self.folder = folder
        self.base = base
        self.sessions_dir = base / SESSIONS_DIR
        self._cache = SummaryCache(base / CACHE_FILE, str(folder.root))
        self._locks = SessionLocks(self.sessions_dir)
        self._paths: dict[str, Path] = {}
        self._list_guard = threading.Lock()
        self._tails: dict[str, tuple[int, int, int]] = {}  # id -> (inode, size, highest seq)
        self._catalogue = SearchCatalogue(base / CATALOGUE_FILE, self.sessions_dir)

    # -- paths and locking --------------------------------------------------------

    def session_path(self, session_id: str) -> Path:
        path = self._paths.get(session_id)
        if path is None:
            path = self.sessions_dir / f"{check_session_id(session_id)}{SESSION_SUFFIX}"
            if len(self._paths) < 4096:  # ids are few per process; just bound it
                self._paths[session_id] = path
        return path

    @contextmanager
    def _locked(self, session_id: str, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
        with self._locks.hold(session_id, timeout):
            yield

    def _not_found(self, session_id: str) -> SessionNotFoundError:
        return SessionNotFoundError(
            f"no session with id {session_id} in {self.folder.root}",
            data={"sessionId": session_id},
        )

    def _open_fd(self, session_id: str, flags: int, action: str) -> tuple[int, Path]:
        """A descriptor of the session's file: a missing one is SessionNotFoundError, any
        other failure a StoreError saying what it was opened for."""
        path = self.session_path(session_id)
        try:
            return open_regular(path, flags), path
        except FileNotFoundError as exc:
            raise self._not_found(session_id) from exc
        except OSError as exc:
            raise store_error(action, path, exc) from exc

    def _open(self, session_id: str) -> tuple[BinaryIO, Path]:
        fd, path = self._open_fd(session_id, os.O_RDONLY, "read")
        return os.fdopen(fd, "rb"), path

    @contextmanager
    def _reading(self, session_id: str) -> Iterator[tuple[BinaryIO, Path, int]]:
        """The session file open for reading, its path and its size with no append in
        flight; an OSError while reading it becomes a StoreError naming the file."""
        f, path = self._open(session_id)
        with f:
            try:
                yield f, path, self._stable_size(session_id, f)
            except OSError as exc:
                raise store_error("read", path, exc) from exc

    def _stable_size(self, session_id: str, f: BinaryIO) -> int:
        """The file size with no append in flight (falls back to the plain size)."""
        try:
            with self._locked(session_id, READ_LOCK_TIMEOUT):
                return os.fstat(f.fileno()).st_size
        except StoreError as exc:
            log.warning("reading %s without its lock: %s", session_id, exc.message)
            return os.fstat(f.fileno()).st_size

    # -- writing --------------------------------------------------------------------

    def create(self, info: SessionInfo, records: Sequence[Mapping[str, Any]] = ()) -> None:
        """A new session file, whole or not at all; `records` (an import) get seqs 1, 2, ..."""
        if not is_valid_session_id(info.id):
            raise StoreError(f"cannot create a session with id {info.id!r}: not a valid id")
        ensure_workspace_dir(self.base, self.folder)
        body = [encode_record(r) for r in numbered(list(records), 1)]
        self._publish(self.session_path(info.id), encode_header(info), body)
        self._catalogue.touch(info.id)

    def _publish(self, path: Path, header: bytes, body: Sequence[bytes]) -> None:
        """Write a whole new session file durably, then link it into place (never half a file,
        never over an existing session)."""
        tmp = temp_name(path)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_BINARY, 0o600)
            try:
                write_all(fd, header + b"".join(body))
                os.fsync(fd)
            finally:
                os.close(fd)
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise self._exists_error(path) from None
            except OSError as exc:
                if exc.errno not in _NO_HARD_LINKS:
                    raise
                self._publish_in_place(path, header + b"".join(body))
            fsync_dir(path.parent)
        except OSError as exc:
            raise store_error("write", path, exc) from exc
        finally:
            with suppress(OSError):
                os.unlink(tmp)

    def _publish_in_place(self, path: Path, data: bytes) -> None:
        """For file systems without hard links: O_EXCL create, then write (a reader may
        briefly see a file without its header, and report it corrupt until it is there)."""
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_BINARY, 0o600)
        except FileExistsError:
            raise self._exists_error(path) from None
        try:
            write_all(fd, data)
            os.fsync(fd)
        except OSError:
            os.close(fd)
            with suppress(OSError):
                os.unlink(path)
            raise
        os.close(fd)

    @staticmethod
    def _exists_error(path: Path) -> StoreError:
        return StoreError(
            f"a session with id {path.stem} already exists", data={"sessionId": path.stem}
        )

    def append(
        self,
        session_id: str,
        events: Sequence[EventBase | Mapping[str, Any]],
        *,
        sync: bool = False,
        number: bool = False,
        after_seq: int = 0,
    ) -> Appended:
        """Append records under the session's lock in one write; on failure the file is cut
        back to where it was, so a failed append leaves no partial record behind.

        With `number`, each record gets its seq here, under the lock, from the file's own
        tail: two processes appending to one session never share a seq.
        """
        self.session_path(session_id)  # an invalid id is refused before anything else
        records = list(events)
        data = b"" if number else self._encode(records)
        # opened before locking: an unknown id must not leave a lock file behind
        fd, path = self._open_fd(session_id, os.O_RDWR | os.O_APPEND, "write")
        try:
            if not (records or sync):
                return Appended()
            with self._locked(session_id):
                first = last = 0
                if number and records:
                    first = max(self._tail_seq(fd, path, session_id), after_seq) + 1
                    records = numbered(records, first)
                    last = first + len(records) - 1
                    data = self._encode(records)
                start, end = self._append_locked(fd, path, session_id, data, sync)
                self._note_tail(session_id, end, last)
                self._catalogue.touch(session_id)
                return Appended(first, last, start, end)
        finally:
            os.close(fd)

    @staticmethod
    def _encode(records: Sequence[EventBase | Mapping[str, Any]]) -> bytes:
        return b"".join(encode_record(event) for event in records)

    def _tail_seq(self, fd: int, path: Path, session_id: str) -> int:
        """The highest seq in the file (under the lock): the cached value when nobody else
        appended since our last write, else the cache plus a read of the foreign bytes."""
        st = os.fstat(fd)
        cached = self._tails.get(session_id)
        if cached is not None and cached[0] == st.st_ino and cached[1] == st.st_size:
            return cached[2]
        with open(path, "rb") as f:
            if cached is not None and cached[0] == st.st_ino and cached[1] < st.st_size:
                highest = max(cached[2], max_seq(forward_lines(f, cached[1], st.st_size)))
            else:
                _, header_len = read_header(f, session_id, str(path))
                highest = tail_seq(f, header_len, st.st_size)
        self._tails[session_id] = (st.st_ino, st.st_size, highest)
        return highest

    def _note_tail(self, session_id: str, end: int, last_seq: int) -> None:
        """After our own numbered write the cache stays valid without reading it back."""
        cached = self._tails.get(session_id)
        if cached is not None and last_seq:
            self._tails[session_id] = (cached[0], end, max(cached[2], last_seq))

    def _append_locked(self, fd: int, path: Path, session_id: str, data: bytes, sync: bool
                       ) -> tuple[int, int]:
        st = os.fstat(fd)
        if st.st_nlink == 0:
            raise SessionNotFoundError(
                f"session {session_id} was deleted", data={"sessionId": session_id}
            )
        size = st.st_size
        if data and size and _last_byte(fd, size) != b"\n":
            # A crashed writer left a torn line: end it, so our records stay whole.
            data = b"\n" + data
        try:
            if data:
                write_all(fd, data)
            if sync:
                os.fsync(fd)
        except OSError as exc:
            try:
                os.ftruncate(fd, size)
            except OSError:
                log.error("cannot cut back a failed append to %s", path)
            raise store_error("write", path, exc) from exc
        return size, size + len(data)

    # -- reading --------------------------------------------------------------------

    def exists(self, session_id: str) -> bool:
        return is_valid_session_id(session_id) and is_regular(self.session_path(session_id))

    def load(self, session_id: str, *, tail: int | None = DEFAULT_TAIL) -> LoadedSession:
        if tail is not None and tail < 0:
            raise InvalidParamsError(f"tail must be a positive number of messages, not {tail}")
        with self._reading(session_id) as (f, path, end):
            info, header_len = read_header(f, session_id, str(path))
            if tail is None:
                loaded = load_full(f, info, header_len, end)
            else:
                loaded = load_tail(f, info, header_len, end, tail, self._fresh_row(session_id, f))
            loaded.size = end
            return loaded

    def read_after(self, session_id: str, offset: int) -> tuple[list[StoredRecord], int]:
        with self._reading(session_id) as (f, path, end):
            if offset <= 0:
                _, offset = read_header(f, session_id, str(path))
            return records_after(f, offset, end)

    def last_turn(self, session_id: str) -> list[dict[str, Any]]:
        with self._reading(session_id) as (f, path, end):
            _, header_len = read_header(f, session_id, str(path))
            return newest_turn(f, header_len, end)

    def turn_lease(self, session_id: str) -> TurnLease | None:
        return self._lease(session_id, TURN_SUFFIX)

    def changes_lease(self, session_id: str) -> TurnLease | None:
        return self._lease(session_id, CHANGES_SUFFIX)

    def _lease(self, session_id: str, suffix: str) -> TurnLease | None:
        ensure_workspace_dir(self.base, self.folder)
        path = self.sessions_dir / f"{check_session_id(session_id)}{suffix}"
        return TurnLease.try_acquire(path, use_descriptors=self._locks.use_descriptors)

    def _fresh_row(self, session_id: str, f: BinaryIO) -> Summary | None:
        row = self._cache.get(session_id)
        if row is None or row.corrupt or summary_stamp(row) != stamp_of(os.fstat(f.fileno())):
            return None
        return row

    def iter_records(self, session_id: str, *, from_seq: int = 0) -> Iterator[dict[str, Any]]:
        f, path = self._open(session_id)
        try:
            end = self._stable_size(session_id, f)
            _, header_len = read_header(f, session_id, str(path))
        except BaseException:
            f.close()
            raise
        return self._records(f, path, header_len, end, from_seq)

    def _records(
        self, f: BinaryIO, path: Path, start: int, end: int, from_seq: int
    ) -> Iterator[dict[str, Any]]:
        with f:
            for record in inflate(self._stored(f, path, start, end)):
                seq = record.get("seq")
                if isinstance(seq, int) and not isinstance(seq, bool):
                    if seq > from_seq:
                        yield record
                elif from_seq <= 0:
                    yield record

    def context_records(self, session_id: str) -> list[dict[str, Any]]:
        with self._reading(session_id) as (f, path, end):
            _, header_len = read_header(f, session_id, str(path))
            return scan_context_records(f, header_len, end)

    @staticmethod
    def _stored(f: BinaryIO, path: Path, start: int, end: int) -> Iterator[dict[str, Any]]:
        for offset, line, terminated in forward_lines(f, start, end):
            if not terminated or not line.strip():
                continue
            record = decode_line(line)
            if isinstance(record, str):
                log.warning("%s byte %d: skipped, %s", path, offset, record)
                continue
            yield record

    # -- listing --------------------------------------------------------------------

    def list(
        self, *, limit: int = 50, cursor: str | None = None, query: str | None = None,
        include_archived: bool = False,
    ) -> tuple[list[SessionSummary], str | None]:
        if limit < 1:
            raise InvalidParamsError(f"limit must be at least 1, not {limit}")
        after = decode_cursor(cursor) if cursor else None
        with self._list_guard:
            rows = current_summaries(self.sessions_dir, self._cache)
        return page_of(rows, self.folder, limit=limit, after=after, query=query,
                       include_archived=include_archived)

    def search(self, query: str, *, limit: int = 20, include_archived: bool = False
               ) -> builtins.list[Hit]:
        try:
            return self._catalogue.search(query, limit, include_archived=include_archived)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot search the sessions of {self.folder.root}: {exc}") from exc

    # -- whole-session operations ---------------------------------------------------

    def delete(self, session_id: str) -> None:
        path = self.session_path(session_id)
        if not path.exists():
            raise self._not_found(session_id)
        lock_path = self._locks.lock_path(session_id)
        with self._locked(session_id):
            try:
                os.unlink(path)
            except FileNotFoundError as exc:
                raise SessionNotFoundError(
                    f"session {session_id} was already deleted", data={"sessionId": session_id}
                ) from exc
            except OSError as exc:
                raise store_error("delete", path, exc) from exc
        with suppress(OSError):
            os.unlink(lock_path)
        for suffix in (TURN_SUFFIX, CHANGES_SUFFIX):
            with suppress(OSError):
                os.unlink(lock_path.with_suffix(suffix))
        self._tails.pop(session_id, None)
        self._catalogue.touch(session_id)
        self._locks.forget(session_id)
        with self._list_guard:
            rows = self._cache.load()
            if rows.pop(session_id, None) is not None:
                self._cache.save(rows)

    def fork(
        self, session_id: str, new_info: SessionInfo, *, up_to_message_id: str | None = None
    ) -> SessionInfo:
        if not is_valid_session_id(new_info.id):
            raise StoreError(f"cannot fork into a session with id {new_info.id!r}: not a valid id")
        if new_info.forked_from is None:
            new_info = new_info.model_copy(update={"forked_from": session_id})
        with self._reading(session_id) as (f, path, end):
            _, header_len = read_header(f, session_id, str(path))
            body, found = _fork_body(f, header_len, end, new_info, up_to_message_id)
        if up_to_message_id is not None and not found:
            raise StoreError(
                f"session {session_id} has no message {up_to_message_id}; nothing was forked",
                data={"sessionId": session_id, "messageId": up_to_message_id},
            )
        ensure_workspace_dir(self.base, self.folder)
        self._publish(self.session_path(new_info.id), encode_header(new_info), body)
        self._catalogue.touch(new_info.id)
        summary = Summary.from_header(new_info, 0)
        for line in body:
            record = decode_line(line)
            if not isinstance(record, str):
                summary.add(record)
        return summary.fold_into(new_info)

    def export(self, session_id: str, fmt: Literal["markdown", "json"]) -> str:
        if fmt not in ("markdown", "json"):
            raise InvalidParamsError(f"unknown export format {fmt!r}; use markdown or json")
        loaded = self.load(session_id, tail=None)
        render = to_markdown if fmt == "markdown" else to_json
        return render(loaded.info, loaded.messages)


def _fork_body(
    f: BinaryIO, start: int, end: int, new_info: SessionInfo, up_to: str | None
) -> tuple[list[bytes], bool]:
    """The records to copy, re-addressed to the new session; unreadable lines are left out.

    When the new header has a title of its own, the parent's title_changed records stay
    behind: they would otherwise fold over it and the fork would wear the parent's title.
    """
    new_id = new_info.id
    keep_titles = not new_info.title
    body: list[bytes] = []
    for offset, line, terminated in forward_lines(f, start, end):
        if not terminated or not line.strip():
            continue
        record = decode_line(line)
        if isinstance(record, str):
            log.warning("fork: byte %d skipped, %s", offset, record)
            continue
        if not keep_titles and record.get("type") == TITLE_CHANGED:
            continue
        if "sessionId" in record:
            record["sessionId"] = new_id
        body.append(encode_record(record))
        if up_to is not None and record.get("type") == MESSAGE_ADDED:
            message = record.get("message")
            if isinstance(message, dict) and message.get("id") == up_to:
                return body, True
    return body, False


def _last_byte(fd: int, size: int) -> bytes:
    """The file's last byte (lseek + read: os.pread is not on every platform; O_APPEND
    writes go to the end whatever the position)."""
    os.lseek(fd, size - 1, os.SEEK_SET)
    return os.read(fd, 1)
