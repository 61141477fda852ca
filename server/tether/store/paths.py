"""Where history lives on disk, and the plain-language translation of OSError.

One folder per workspace folder: a readable name (so a human can find it) plus a hash of
the canonical path (so two folders with the same name never share a history).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import secrets
import stat
from pathlib import Path

import platformdirs

from tether.errors import SessionNotFoundError, StoreError
from tether.workspace.folder import WorkspaceFolder

DATA_DIR_ENV = "TETHER_DATA_DIR"
O_BINARY: int = getattr(os, "O_BINARY", 0)  # Windows would otherwise write \r\n
SESSIONS_DIR = "sessions"
WORKSPACE_FILE = "workspace.json"
SESSION_SUFFIX = ".jsonl"
LOCK_SUFFIX = ".lock"

# Session ids become file names: no separators, no dots, no leading dash or dot.
_SESSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
_UNSAFE_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")

_ERRNO_WORDS = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk quota exceeded",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EROFS: "read-only file system",
    errno.ENOENT: "no such file or directory",
    errno.EIO: "input/output error",
    errno.ENOTDIR: "a path component is not a directory",
    errno.EISDIR: "is a directory",
    errno.EMFILE: "too many open files",
    errno.ENAMETOOLONG: "file name too long",
}


def data_root() -> Path:
    """Tether's data directory; `TETHER_DATA_DIR` wins (read on every call: tests set it)."""
    override = os.environ.get(DATA_DIR_ENV, "").strip()
    if override:
        return Path(os.path.expanduser(override))
    return Path(platformdirs.user_data_dir("tether", appauthor=False))


def workspace_dir(folder: WorkspaceFolder, root: Path) -> Path:
    """`<root>/workspaces/<readable-name>-<hash12>` for a canonical workspace folder."""
    digest = hashlib.sha256(str(folder.root).encode("utf-8", "surrogateescape")).hexdigest()
    readable = _UNSAFE_NAME_CHARS.sub("_", folder.name).strip("._-")[:40] or "root"
    return root / "workspaces" / f"{readable}-{digest[:12]}"


def check_session_id(session_id: str) -> str:
    """The id itself, when it is safe to use as a file name; otherwise SessionNotFoundError."""
    if not isinstance(session_id, str) or not _SESSION_ID.fullmatch(session_id):
        raise SessionNotFoundError(
            f"no session with id {session_id!r}: not a valid session id",
            data={"sessionId": str(session_id)},
        )
    return session_id


def is_valid_session_id(session_id: str) -> bool:
    return isinstance(session_id, str) and _SESSION_ID.fullmatch(session_id) is not None


def store_error(action: str, path: Path, exc: OSError) -> StoreError:
    """`cannot <action> history at PATH: disk full`, with the errno kept in `data`."""
    words = (exc.strerror if isinstance(exc, NotRegularFileError) else None) \
        or _ERRNO_WORDS.get(exc.errno or 0) or exc.strerror or str(exc)
    return StoreError(
        f"cannot {action} history at {path}: {words}",
        data={"path": str(path), "errno": exc.errno},
    )


# Opening a FIFO for reading blocks until a writer comes, a socket cannot be opened, and a
# device or a symlink out of the history folder is not history: every history file is
# opened through `open_regular`.
_SAFE_OPEN = (O_BINARY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
              | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))


class NotRegularFileError(OSError):
    """A history path that is a FIFO, socket, device, directory or symlink."""

    def __init__(self, path: Path | str, what: str) -> None:
        super().__init__(errno.EINVAL, f"not a regular file ({what})", str(path))
        self.what = what


def file_kind(mode: int) -> str:
    """What a non-regular file is, in a word (for logs and errors)."""
    for test, word in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISDIR, "a directory"), (stat.S_ISLNK, "a symlink"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return word
    return "a regular file" if stat.S_ISREG(mode) else "a special file"


def open_regular(path: Path | str, flags: int = os.O_RDONLY, mode: int = 0o600) -> int:
    """A descriptor of the regular file at `path`; NotRegularFileError for anything else.

    O_NOFOLLOW refuses a symlink as the last component and O_NONBLOCK makes opening a FIFO
    return at once; fstat on the descriptor then checks the file actually opened, so a
    swap between a check and the open cannot slip a FIFO in. Blocking mode is restored
    (it means nothing for regular files, but the descriptor is handed on).
    """
    try:
        fd = os.open(path, flags | _SAFE_OPEN, mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotRegularFileError(path, "a symlink") from None
        if exc.errno == errno.ENXIO:  # a socket, or a FIFO opened for writing with no reader
            raise NotRegularFileError(path, "a socket or a FIFO") from None
        if exc.errno == errno.EISDIR:  # a directory opened for writing
            raise NotRegularFileError(path, "a directory") from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFileError(path, file_kind(st.st_mode))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def is_regular(path: Path | str) -> bool:
    """Whether `path` itself (not what a symlink points to) is a regular file."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def write_all(fd: int, data: bytes) -> None:
    """os.write until every byte is written (a regular file may take a partial write)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def fsync_dir(path: Path) -> None:
    """Make a new directory entry durable; best effort where directories cannot be opened."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def temp_name(path: Path) -> Path:
    """A hidden sibling no other process will pick (listing skips dot files)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def write_atomic(path: Path, data: bytes, *, durable: bool = False) -> None:
    """tmp + os.replace: readers see the old file or the new one, never half of one."""
    tmp = temp_name(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_BINARY, 0o600)
        try:
            write_all(fd, data)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def ensure_workspace_dir(base: Path, folder: WorkspaceFolder) -> Path:
    """Create the workspace folder's history dirs and its workspace.json; returns sessions/."""
    sessions = base / SESSIONS_DIR
    try:
        sessions.mkdir(parents=True, exist_ok=True, mode=0o700)
        marker = base / WORKSPACE_FILE
        if not marker.exists():
            info = {"version": 1, "path": str(folder.root), "name": folder.name}
            write_atomic(marker, (json.dumps(info, indent=2) + "\n").encode("utf-8"))
    except OSError as exc:
        raise store_error("create", base, exc) from exc
    return sessions
