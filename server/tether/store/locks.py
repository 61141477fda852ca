"""Per-session locks: a thread lock in front of a cross-process `filelock.FileLock`.

The FileLock (flock on `<id>.lock` beside the session file) serializes processes. It is
created with `thread_local=False` because its per-thread bookkeeping costs more than the
append it guards; threads of this process are serialized by the thread lock instead,
which is what makes sharing one FileLock between threads safe.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from tether.errors import StoreError
from tether.store.paths import LOCK_SUFFIX, store_error


class SessionLocks:
    def __init__(self, sessions_dir: Path) -> None:
        self.sessions_dir = sessions_dir
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, FileLock]] = {}

    def lock_path(self, session_id: str) -> Path:
        return self.sessions_dir / f"{session_id}{LOCK_SUFFIX}"

    def _pair(self, session_id: str) -> tuple[threading.Lock, FileLock]:
        with self._guard:
            pair = self._locks.get(session_id)
            if pair is None:
                file_lock = FileLock(self.lock_path(session_id), thread_local=False)
                pair = (threading.Lock(), file_lock)
                self._locks[session_id] = pair
            return pair

    @contextmanager
    def hold(self, session_id: str, timeout: float) -> Iterator[None]:
        """Exclusive hold of the session across threads and processes, or StoreError."""
        thread_lock, file_lock = self._pair(session_id)
        start = time.monotonic()
        if not thread_lock.acquire(timeout=timeout):
            raise self._busy(session_id)
        try:
            remaining = max(0.0, timeout - (time.monotonic() - start))
            try:
                file_lock.acquire(timeout=remaining)
            except Timeout as exc:
                raise self._busy(session_id) from exc
            except OSError as exc:
                raise store_error("lock", self.lock_path(session_id), exc) from exc
            try:
                yield
            finally:
                file_lock.release()
        finally:
            thread_lock.release()

    def forget(self, session_id: str) -> None:
        with self._guard:
            self._locks.pop(session_id, None)

    def _busy(self, session_id: str) -> StoreError:
        return StoreError(
            f"the history of session {session_id} is locked by another process "
            f"({self.lock_path(session_id)}); try again",
            data={"sessionId": session_id},
        )
