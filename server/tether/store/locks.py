"""Per-session locks: a thread lock in front of a cross-process lock on `<id>.lock`.

Across processes the lock is filelock's native lock (flock on Unix). An append is a
single small write, so the lock's own cost matters: with filelock >= 3.30 we take the
same native lock through `filelock.lock_descriptor` on a descriptor we open (a few µs)
instead of a `FileLock` object (tens of µs of path handling per acquire). Both contend
with each other and with any `FileLock(<id>.lock)` elsewhere. Threads of this process
are serialized by the thread lock, so neither path needs filelock's per-thread state.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import filelock

from tether.errors import StoreError
from tether.store.paths import (
    LOCK_SUFFIX,
    NotRegularFileError,
    is_regular,
    open_regular,
    store_error,
)

_POLL = 0.002  # seconds between attempts while another process holds the lock (at most)
_FIRST_POLL = 0.00005
HAS_DESCRIPTOR_LOCKS = hasattr(filelock, "lock_descriptor")


class SessionLocks:
    def __init__(self, sessions_dir: Path, *, use_descriptors: bool = HAS_DESCRIPTOR_LOCKS) -> None:
        self.sessions_dir = sessions_dir
        self.use_descriptors = use_descriptors
        self._guard = threading.Lock()
        self._thread_locks: dict[str, threading.Lock] = {}
        self._lock_files: dict[str, str] = {}  # session id -> lock file path, built once
        self._file_locks: dict[str, filelock.FileLock] = {}

    def lock_path(self, session_id: str) -> Path:
        return self.sessions_dir / f"{session_id}{LOCK_SUFFIX}"

    def _thread_lock(self, session_id: str) -> threading.Lock:
        with self._guard:
            lock = self._thread_locks.get(session_id)
            if lock is None:
                lock = self._thread_locks[session_id] = threading.Lock()
            return lock

    @contextmanager
    def hold(self, session_id: str, timeout: float) -> Iterator[None]:
        """Exclusive hold of the session across threads and processes, or StoreError."""
        deadline = time.monotonic() + timeout
        thread_lock = self._thread_lock(session_id)
        if not thread_lock.acquire(timeout=timeout):
            raise self._busy(session_id)
        try:
            if self.use_descriptors:
                fd = self._acquire_descriptor(session_id, deadline)
                try:
                    yield
                finally:
                    with suppress(OSError):
                        filelock.unlock_descriptor(fd)
                    os.close(fd)
            else:
                with self._hold_file_lock(session_id, deadline):
                    yield
        finally:
            thread_lock.release()

    def _acquire_descriptor(self, session_id: str, deadline: float) -> int:
        path = self._lock_files.get(session_id)
        if path is None:
            path = self._lock_files[session_id] = str(self.lock_path(session_id))
        pause = _FIRST_POLL
        while True:
            try:
                fd = open_regular(path, os.O_RDWR | os.O_CREAT)  # never a symlink or FIFO
            except OSError as exc:
                raise store_error("lock", Path(path), exc) from exc
            try:
                if filelock.lock_descriptor(fd, blocking=False):
                    if os.fstat(fd).st_nlink > 0:
                        return fd
                    # the lock file was deleted while we waited: lock the new one instead
                    filelock.unlock_descriptor(fd)
            except OSError as exc:
                os.close(fd)
                raise store_error("lock", Path(path), exc) from exc
            os.close(fd)
            if time.monotonic() >= deadline:
                raise self._busy(session_id)
            time.sleep(pause)
            pause = min(pause * 2, _POLL)  # appends are short: look again soon, then back off

    @contextmanager
    def _hold_file_lock(self, session_id: str, deadline: float) -> Iterator[None]:
        path = self.lock_path(session_id)
        if os.path.lexists(path) and not is_regular(path):
            raise store_error("lock", path, NotRegularFileError(path, "not a plain lock file"))
        with self._guard:
            lock = self._file_locks.get(session_id)
            if lock is None:
                lock = filelock.FileLock(self.lock_path(session_id), thread_local=False)
                self._file_locks[session_id] = lock
        try:
            lock.acquire(timeout=max(0.0, deadline - time.monotonic()))
        except filelock.Timeout as exc:
            raise self._busy(session_id) from exc
        except OSError as exc:
            raise store_error("lock", self.lock_path(session_id), exc) from exc
        try:
            yield
        finally:
            lock.release()

    def forget(self, session_id: str) -> None:
        """Drop the FileLock of a deleted session (thread locks stay: a waiter may hold one)."""
        with self._guard:
            self._file_locks.pop(session_id, None)

    def _busy(self, session_id: str) -> StoreError:
        return StoreError(
            f"the history of session {session_id} is locked by another process "
            f"({self.lock_path(session_id)}); try again",
            data={"sessionId": session_id},
        )


TURN_SUFFIX = ".turn"
CHANGES_SUFFIX = ".changes"  # held while an undo or rewind of the session runs


class TurnLease:
    """Held by the one process running a turn of a session, for the whole turn.

    An exclusive, non-blocking lock on `<id>.turn`: a second process trying to start a
    turn fails at once (TURN_IN_PROGRESS), and the kernel releases the lock when the
    holder dies, so a free lease with an unfinished turn on disk means that turn's
    process ended (crash recovery). Separate from the append lock, which is held only
    for the instant of one write.
    """

    def __init__(self, fd: int | None, lock: filelock.FileLock | None) -> None:
        self._fd = fd
        self._lock = lock

    @classmethod
    def try_acquire(cls, path: Path, *, use_descriptors: bool = HAS_DESCRIPTOR_LOCKS
                    ) -> TurnLease | None:
        """The lease, or None when another holder has it (StoreError on I/O failure)."""
        if not use_descriptors:
            lock = filelock.FileLock(path, thread_local=False, is_singleton=False)
            try:
                lock.acquire(timeout=0)
            except filelock.Timeout:
                return None
            except OSError as exc:
                raise store_error("lock", path, exc) from exc
            return cls(None, lock)
        try:
            fd = open_regular(path, os.O_RDWR | os.O_CREAT)  # never a symlink or FIFO
        except OSError as exc:
            raise store_error("lock", path, exc) from exc
        try:
            if filelock.lock_descriptor(fd, blocking=False):
                return cls(fd, None)
        except OSError as exc:
            os.close(fd)
            raise store_error("lock", path, exc) from exc
        os.close(fd)
        return None

    def release(self) -> None:
        """Idempotent."""
        fd, self._fd = self._fd, None
        if fd is not None:
            with suppress(OSError):
                filelock.unlock_descriptor(fd)
            os.close(fd)
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.release()
