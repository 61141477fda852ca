"""The session lock: excludes threads, other FileLock users, and survives a deleted lock file."""

from __future__ import annotations

import threading
from pathlib import Path

import filelock
import pytest

from tether.errors import StoreError
from tether.store.locks import HAS_DESCRIPTOR_LOCKS, SessionLocks

MODES = [pytest.param(False, id="FileLock")]
if HAS_DESCRIPTOR_LOCKS:
    MODES.append(pytest.param(True, id="descriptor"))


@pytest.fixture(params=MODES)
def locks(request: pytest.FixtureRequest, tmp_path: Path) -> SessionLocks:
    return SessionLocks(tmp_path, use_descriptors=request.param)


def test_a_filelock_user_elsewhere_excludes_us(locks: SessionLocks) -> None:
    other = filelock.FileLock(locks.lock_path("s1"))  # e.g. another process's tool
    busy = pytest.raises(StoreError, match="locked by another process")
    with other, busy, locks.hold("s1", timeout=0.05):
        pass
    with locks.hold("s1", timeout=1), pytest.raises(filelock.Timeout):
        other.acquire(blocking=False)  # and we exclude them


def test_threads_are_serialized(locks: SessionLocks) -> None:
    inside = threading.Event()
    leave = threading.Event()
    errors: list[Exception] = []

    def holder() -> None:
        with locks.hold("s1", timeout=1):
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    assert inside.wait(5)
    try:
        with locks.hold("s1", timeout=0.05):
            pass
    except StoreError as exc:
        errors.append(exc)
    leave.set()
    thread.join(5)
    assert len(errors) == 1
    with locks.hold("s1", timeout=1):  # free again
        pass
    with locks.hold("s2", timeout=0.05):  # other sessions were never blocked
        pass


def test_lock_file_removed_between_holds(locks: SessionLocks) -> None:
    with locks.hold("s1", timeout=1):
        pass
    locks.lock_path("s1").unlink()
    locks.forget("s1")
    with locks.hold("s1", timeout=1):
        assert locks.lock_path("s1").exists()


def test_lock_in_a_missing_directory_is_a_store_error(tmp_path: Path) -> None:
    locks = SessionLocks(tmp_path / "nope" / "sessions")
    with pytest.raises(StoreError, match="cannot lock history"), locks.hold("s1", timeout=0.05):
        pass
