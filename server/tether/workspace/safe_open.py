"""Opening workspace files so that what was checked is what gets opened.

Path safety (folder.py) resolves symlinks and checks the result is inside the workspace;
a plain `open()` afterwards follows symlinks again, so a process that swaps a folder for
a symlink between the check and the open gets the agent to read or write outside. Here
every open walks the already *canonical* path one component at a time from "/", each
directory opened with `O_NOFOLLOW | O_DIRECTORY` relative to its parent's descriptor
(openat). A canonical path has no symlinks in it, so a symlink met on the way means the
tree changed since the check: the open is refused, never followed.

The last component is looked at with `fstatat` (no follow) before it is opened, and only
regular files are opened at all (with `O_NONBLOCK`, checked again with `fstat`): a FIFO
would block the reading thread forever and a device would be read until memory runs
out. Reads and writes are bounded by a size cap that the error names.

Writes go to a temp file created beside the target inside the same directory descriptor,
then `os.replace` with `src_dir_fd`/`dst_dir_fd`, so the rename cannot land elsewhere.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

from tether.errors import ToolError

MIB = 1024 * 1024
DEFAULT_MAX_FILE_BYTES = 10 * MIB  # settings.max_file_bytes
HARD_MAX_FILE_BYTES = 256 * MIB  # what the editor bridges read at most, whatever the setting
CAP_SETTING = "maxFileBytes"

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISLNK, "a symbolic link"),
)


class UnsafeFileError(ToolError):
    """A file the tools will not open; `reason` is a short machine-friendly word."""

    reason = "unreadable"


class NotRegularFileError(UnsafeFileError):
    reason = "not_regular"


class FileTooLargeError(UnsafeFileError):
    reason = "too_large"


class PathChangedError(UnsafeFileError):
    """A symlink appeared on a path that was canonical when it was checked."""

    reason = "path_changed"


def kind_of(mode: int) -> str:
    """'a FIFO (named pipe)', 'a character device', ... or 'a regular file'."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "a regular file" if stat.S_ISREG(mode) else "not a regular file"


def format_bytes(size: int) -> str:
    if size >= 1024 * MIB:
        return f"{size / (1024 * MIB):.1f} GiB".replace(".0 GiB", " GiB")
    if size >= MIB:
        return f"{size / MIB:.1f} MiB".replace(".0 MiB", " MiB")
    if size >= 1024:
        return f"{size / 1024:.0f} KiB"
    return f"{size} bytes"


def too_large(path: Path | str, size: int, cap: int) -> FileTooLargeError:
    return FileTooLargeError(
        f"{path} is {format_bytes(size)}, over the {format_bytes(cap)} file size cap "
        f"(setting {CAP_SETTING})",
        data={"path": str(path), "size": size, "cap": cap},
    )


def check_text_size(label: str, text: str, cap: int) -> None:
    """Refuse text (a buffer, a new file, an edit's result) over the file size cap."""
    if len(text) * 4 <= cap:  # cheap bound before encoding
        return
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > cap:
        raise too_large(label, size, cap)


def _not_regular(path: Path | str, mode: int) -> NotRegularFileError:
    return NotRegularFileError(
        f"{path} is {kind_of(mode)}, not a regular file; only regular files are opened",
        data={"path": str(path), "kind": kind_of(mode)},
    )


def _changed(path: Path | str) -> PathChangedError:
    return PathChangedError(
        f"{path} changed while it was being opened (a folder on the way became a symlink); "
        "refused",
        data={"path": str(path)},
    )


def _parts(path: Path) -> list[str]:
    if not path.is_absolute():
        raise ValueError(f"safe_open needs an absolute canonical path, got {path}")
    return [part for part in path.parts[1:] if part not in ("", ".")]


@contextlib.contextmanager
def open_dir(path: Path, *, create: bool = False) -> Iterator[int]:
    """A descriptor of directory `path`, reached without following any symlink.

    `create` makes missing folders on the way (mkdirat, then opened no-follow as well).
    """
    parts = _parts(path)
    if ".." in parts:
        raise ValueError(f"safe_open needs a canonical path, got {path}")
    fd = os.open("/", _DIR_FLAGS)
    try:
        for part in parts:
            try:
                child = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                with contextlib.suppress(FileExistsError):
                    os.mkdir(part, 0o777, dir_fd=fd)
                child = _open_child_dir(part, fd, path)
            except OSError as exc:
                raise _translate(exc, path, fd, part) from None
            os.close(fd)
            fd = child
        yield fd
    finally:
        os.close(fd)


def _open_child_dir(part: str, fd: int, path: Path) -> int:
    try:
        return os.open(part, _DIR_FLAGS, dir_fd=fd)
    except OSError as exc:
        raise _translate(exc, path, fd, part) from None


def _translate(exc: OSError, path: Path, dfd: int | None = None, part: str = "") -> Exception:
    if exc.errno in (errno.ELOOP, errno.EMLINK):
        return _changed(path)
    if exc.errno == errno.ENOTDIR and dfd is not None:
        # Linux answers O_DIRECTORY|O_NOFOLLOW on a symlink with ENOTDIR, not ELOOP
        try:
            if stat.S_ISLNK(os.stat(part, dir_fd=dfd, follow_symlinks=False).st_mode):
                return _changed(path)
        except OSError:
            pass
    if exc.errno == errno.ENOTDIR:
        return ToolError(f"{path}: a part of the path is not a folder", data={"path": str(path)})
    return exc


def _open_in(dfd: int, path: Path, max_bytes: int | None) -> int:
    """Open regular file `path.name` inside directory descriptor `dfd` (no follow)."""
    name = path.name
    try:
        before = os.stat(name, dir_fd=dfd, follow_symlinks=False)
    except OSError as exc:
        raise _translate(exc, path) from None
    if stat.S_ISLNK(before.st_mode):
        raise _changed(path)
    if not stat.S_ISREG(before.st_mode):
        raise _not_regular(path, before.st_mode)  # never opened: no blocking, no side effect
    if max_bytes is not None and before.st_size > max_bytes:
        raise too_large(path, before.st_size, max_bytes)
    try:
        return os.open(name, _READ_FLAGS, dir_fd=dfd)
    except OSError as exc:
        raise _translate(exc, path) from None


@contextlib.contextmanager
def _checked(fd: int, path: Path) -> Iterator[tuple[int, int]]:
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # swapped between the look and the open
            raise _not_regular(path, st.st_mode)
        os.set_blocking(fd, True)
        yield fd, st.st_size
    finally:
        os.close(fd)


@contextlib.contextmanager
def open_regular(path: Path, *, max_bytes: int | None = None) -> Iterator[tuple[int, int]]:
    """(descriptor, size) of regular file `path`, opened without following symlinks.

    Raises FileNotFoundError when it does not exist, NotRegularFileError for FIFOs,
    sockets, devices and directories, FileTooLargeError over `max_bytes`,
    PathChangedError when a symlink appeared on the way.
    """
    with open_dir(path.parent) as dfd:
        fd = _open_in(dfd, path, max_bytes)
    with _checked(fd, path) as opened:
        yield opened


def _read_all(fd: int, size: int, path: Path, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    want = min(size, max_bytes) + 1  # one more byte tells a file that grew meanwhile
    while total < want:
        chunk = os.read(fd, min(want - total, 4 * MIB))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > max_bytes:
        raise too_large(path, total, max_bytes)
    return b"".join(chunks)


class DirectoryReader:
    """Reads many files with the checks of `read_bytes`, reusing the folder's descriptor.

    For one grep call: files come folder by folder, and walking every path from "/"
    again costs one openat per component. The descriptor of the current folder was
    itself reached without following symlinks, so a swap after that changes nothing
    for the reads through it. Close it (or use it as a context manager) when done.
    """

    def __init__(self) -> None:
        self._folder: Path | None = None
        self._stack: contextlib.ExitStack | None = None
        self._fd = -1

    def read_bytes(self, path: Path, *, max_bytes: int = HARD_MAX_FILE_BYTES) -> bytes:
        if path.parent != self._folder:
            self.close()
            stack = contextlib.ExitStack()
            self._fd = stack.enter_context(open_dir(path.parent))
            self._stack, self._folder = stack, path.parent
        with _checked(_open_in(self._fd, path, max_bytes), path) as (fd, size):
            return _read_all(fd, size, path, max_bytes)

    def close(self) -> None:
        if self._stack is not None:
            self._stack.close()
        self._stack, self._folder, self._fd = None, None, -1

    def __enter__(self) -> DirectoryReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def regular_opener(path: str, flags: int) -> int:
    """An `open(..., opener=)` that opens regular files only, never blocking on a FIFO.

    For callers that follow symlinks on purpose (the index walks links that stay inside
    the folder): O_NONBLOCK, then fstat; a directory raises IsADirectoryError, a FIFO,
    socket or device NotRegularFileError.
    """
    fd = os.open(path, flags | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "Is a directory", path)
        if not stat.S_ISREG(mode):
            raise _not_regular(path, mode)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def file_size(path: Path, *, max_bytes: int | None = None) -> int:
    """The size of regular file `path` (the same checks as reading it, without reading)."""
    with open_regular(path, max_bytes=max_bytes) as (_fd, size):
        return size


def read_bytes(path: Path, *, max_bytes: int = HARD_MAX_FILE_BYTES) -> bytes:
    """The bytes of regular file `path`, at most `max_bytes` (else FileTooLargeError)."""
    with open_regular(path, max_bytes=max_bytes) as (fd, size):
        return _read_all(fd, size, path, max_bytes)


def lookup(path: Path) -> os.stat_result | None:
    """lstat of `path` reached without following symlinks on the way; None if missing."""
    try:
        with open_dir(path.parent) as dfd:
            return os.stat(path.name, dir_fd=dfd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def check_on_disk(path: Path, *, max_bytes: int, label: str) -> bool:
    """Whether `path` exists; refuses (naming it `label`) what is not a regular file of at
    most `max_bytes`. Nothing is opened (a FIFO would block) and no symlink followed."""
    st = lookup(path)
    if st is None:
        return False
    if stat.S_ISLNK(st.st_mode):  # canonical yet a link: a loop, or it changed meanwhile
        raise PathChangedError(
            f"{label}: too many levels of symbolic links (a symlink loop?), or it changed "
            "while being opened",
            data={"path": label},
        )
    if not stat.S_ISREG(st.st_mode):
        raise _not_regular(label, st.st_mode)
    if st.st_size > max_bytes:
        raise too_large(label, st.st_size, max_bytes)
    return True


def write_atomic(path: Path, data: bytes, *, max_bytes: int | None = None) -> None:
    """Replace regular file `path` with `data` in one step, keeping its mode.

    Parent folders are created. The temp file lives in the target's directory, reached
    through a directory descriptor, and is renamed over the target relative to it.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise too_large(path, len(data), max_bytes)
    with open_dir(path.parent, create=True) as dfd:
        name = path.name
        mode: int | None = None
        try:
            st = os.stat(name, dir_fd=dfd, follow_symlinks=False)
        except FileNotFoundError:
            pass
        else:
            if stat.S_ISLNK(st.st_mode):
                raise _changed(path)
            if not stat.S_ISREG(st.st_mode):
                raise _not_regular(path, st.st_mode)
            mode = stat.S_IMODE(st.st_mode)
        tmp = f".{name[:200]}.{secrets.token_hex(4)}.tether-tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        # a new file gets 0o666 less the umask from the kernel; an old one keeps its mode
        fd = os.open(tmp, flags, 0o600 if mode is not None else 0o666, dir_fd=dfd)
        try:
            try:
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                if mode is not None:
                    os.fchmod(fd, mode)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=dfd)
            raise


def remove_regular(path: Path) -> bool:
    """Delete regular file `path` (no symlink followed on the way); False if it is gone.

    Rewinding a turn that created a file removes it: the same race-free walk as the
    writes, and a symlink or a special file put in its place is refused, not removed.
    """
    with open_dir(path.parent) as dfd:
        try:
            st = os.stat(path.name, dir_fd=dfd, follow_symlinks=False)
        except FileNotFoundError:
            return False
        if stat.S_ISLNK(st.st_mode):
            raise _changed(path)
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(path, st.st_mode)
        os.unlink(path.name, dir_fd=dfd)
        return True
