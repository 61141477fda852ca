"""Content-addressed file snapshots for change sets: what a file held before a turn.

One blob per distinct content (sha256 of the bytes), under the workspace's data folder:
`blobs/<2 hex>/<64 hex>`, written atomically. Only files a turn touches are stored,
never a copy of the tree. Blobs hold file content exactly as it was, unredacted:
restoring must give back the very bytes, and they never leave this folder (history
records carry only the hashes, and those records go through the redactor).

Which session uses which blob is kept in `blobs/refs/<session id>` (one hash a line,
appended); deleting a session releases its refs and removes the blobs no other session
refers to. A cross-process lock (`blobs/.lock`) keeps a concurrent `put` in another
window from losing its blob to a collection running at the same moment.
"""

from __future__ import annotations

import hashlib
import logging
import os
from contextlib import suppress
from pathlib import Path

import filelock

from tether.errors import StoreError
from tether.store.paths import check_session_id, open_regular, store_error, write_atomic

log = logging.getLogger(__name__)

BLOBS_DIR = "blobs"
REFS_DIR = "refs"
LOCK_TIMEOUT = 30.0


def blob_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _is_hash(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)


class BlobStore:
    """The snapshots of one workspace folder's sessions."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._refs = root / REFS_DIR
        self._lock = filelock.FileLock(str(root / ".lock"), timeout=LOCK_TIMEOUT)
        self._known: set[tuple[str, str]] = set()  # (session, hash) refs written already

    def path_of(self, digest: str) -> Path:
        if not _is_hash(digest):
            raise StoreError(f"not a blob id: {digest!r}")
        return self.root / digest[:2] / digest

    def put(self, session_id: str, data: bytes) -> str:
        """Store `data` (once per content) for `session_id`; returns its hash."""
        digest = blob_hash(data)
        path = self.path_of(digest)
        check_session_id(session_id)
        try:
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            with self._lock:
                if not path.exists():
                    path.parent.mkdir(exist_ok=True, mode=0o700)
                    write_atomic(path, data, durable=True)
                if (session_id, digest) not in self._known:
                    self._refs.mkdir(exist_ok=True, mode=0o700)
                    fd = os.open(self._refs / session_id,
                                 os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
                    try:
                        os.write(fd, f"{digest}\n".encode("ascii"))
                        os.fsync(fd)
                    finally:
                        os.close(fd)
                    self._known.add((session_id, digest))
        except filelock.Timeout as exc:
            raise StoreError(f"the blob store {self.root} is locked by another process") from exc
        except OSError as exc:
            raise store_error("write", path, exc) from exc
        return digest

    def get(self, digest: str) -> bytes:
        """The bytes of a blob; StoreError when it is gone (its session was deleted)."""
        path = self.path_of(digest)
        try:
            fd = open_regular(path)
        except FileNotFoundError as exc:
            raise StoreError(f"the snapshot {digest[:12]} is no longer stored",
                             data={"blob": digest}) from exc
        except OSError as exc:
            raise store_error("read", path, exc) from exc
        with os.fdopen(fd, "rb") as f:
            data = f.read()
        if blob_hash(data) != digest:
            raise StoreError(f"the snapshot {digest[:12]} is damaged", data={"blob": digest})
        return data

    def _refs_of(self, name: str) -> set[str]:
        try:
            fd = open_regular(self._refs / name)
        except OSError:
            return set()
        with os.fdopen(fd, "rb") as f:
            return {line for line in f.read().decode("ascii", "replace").split() if _is_hash(line)}

    def copy_refs(self, source: str, target: str) -> None:
        """A fork refers to every blob its parent did."""
        check_session_id(target)
        hashes = self._refs_of(check_session_id(source))
        if not hashes:
            return
        try:
            with self._lock:
                self._refs.mkdir(parents=True, exist_ok=True, mode=0o700)
                body = "".join(f"{h}\n" for h in sorted(hashes)).encode("ascii")
                with open(self._refs / target, "ab") as f:
                    f.write(body)
        except (OSError, filelock.Timeout) as exc:
            log.warning("cannot share the snapshots of %s with %s: %s", source, target, exc)

    def release(self, session_id: str) -> int:
        """Forget `session_id`'s refs; delete blobs no other session uses. Returns the count."""
        check_session_id(session_id)
        removed = 0
        try:
            with self._lock:
                mine = self._refs_of(session_id)
                with suppress(FileNotFoundError):
                    os.unlink(self._refs / session_id)
                others: set[str] = set()
                with suppress(FileNotFoundError):
                    for name in os.listdir(self._refs):
                        others |= self._refs_of(name)
                for digest in mine - others:
                    with suppress(FileNotFoundError):
                        os.unlink(self.path_of(digest))
                        removed += 1
        except (OSError, filelock.Timeout) as exc:
            log.warning("cannot collect the snapshots of session %s: %s", session_id, exc)
        self._known = {k for k in self._known if k[0] != session_id}
        return removed

    def stored_bytes(self) -> int:
        """Total size of the blobs (benchmarks, tests)."""
        total = 0
        if not self.root.exists():
            return 0
        for sub in self.root.iterdir():
            if sub.is_dir() and sub.name != REFS_DIR:
                total += sum(p.stat().st_size for p in sub.iterdir() if p.is_file())
        return total
