"""grep: a regular expression over the workspace's text files, gitignore-aware.

A model-chosen pattern can backtrack for minutes (`(a|aa)+$` over 40 characters); with
the standard `re` module that holds the GIL, so not even a cancel is answered. The
`regex` module releases the GIL while it matches a `str` and takes a `timeout`, so the
search runs in a daemon thread with one deadline for the whole call (setting
grepTimeout): the event loop answers every request meanwhile, a cancel is answered at
once and stops the search after the match in progress (which ends at the deadline at
the latest), and a pattern that runs out of time is a tool error.

Files are opened through safe_open (regular files only, no symlink followed after the
walk saw them, at most the file size cap); what was skipped, and why, is reported.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex

from tether.errors import ToolError
from tether.tools.base import ToolContext, ToolOutcome
from tether.tools.common import BuiltinTool, capped_note, fail, folder_arg
from tether.tools.schema import arguments_schema, nonempty_string
from tether.tools.walk import glob_matcher, is_ignored, walk_files
from tether.workspace import safe_open
from tether.workspace.diffs import split_lines
from tether.workspace.overlay import line_starts

MAX_MATCHES = 200
MAX_LINE_CHARS = 300
NAMES_PER_REASON = 5
_POSITIONAL = ("^", "$", "\\A", "\\Z", "\\G", "(?", "*+", "++", "?+", "}+")
# At most this many searches match at once; more wait for a slot in their own thread.
_SLOTS = threading.BoundedSemaphore(4)

TOO_LARGE = "too large"
NOT_REGULAR = "not a regular file"
BINARY = "binary"
NOT_UTF8 = "not UTF-8 text"
UNREADABLE = "unreadable"


class _TimedOut(Exception):
    def __init__(self, rel: str) -> None:
        super().__init__(rel)
        self.rel = rel


class _Stopped(Exception):
    """The call was cancelled; the worker thread stops at the next check."""


@dataclass
class _Search:
    root: Path
    pattern: regex.Pattern[str]
    max_bytes: int
    deadline: float
    stop: threading.Event
    lines: list[str] = field(default_factory=list)
    total: int = 0
    files: int = 0
    skipped: dict[str, list[str]] = field(default_factory=dict)
    refused: ToolError | None = None  # why the single file asked for was not searched
    reader: safe_open.DirectoryReader = field(default_factory=safe_open.DirectoryReader)

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if self.stop.is_set():
            raise _Stopped
        return left

    def matches(self, text: str, rel: str) -> bool:
        left = self.remaining()
        if left <= 0:
            raise _TimedOut(rel)
        try:
            return self.pattern.search(text, timeout=left) is not None
        except TimeoutError:
            raise _TimedOut(rel) from None

    def find(self, text: str, pos: int, rel: str) -> int | None:
        """Where the first match at or after `pos` starts, or None."""
        left = self.remaining()
        if left <= 0:
            raise _TimedOut(rel)
        try:
            hit = self.pattern.search(text, pos, timeout=left)
        except TimeoutError:
            raise _TimedOut(rel) from None
        return None if hit is None else hit.start()

    def skip(self, reason: str, rel: str) -> None:
        self.skipped.setdefault(reason, []).append(rel)


def _run_search(search: _Search, start: Path, file_glob: str | None) -> None:
    """The worker: walk, read through safe_open, match; fills `search`."""
    matcher = glob_matcher(file_glob) if file_glob else None
    # a pattern whose meaning depends on where a line starts or ends is tried on every
    # line; any other is searched over the whole text and checked on the lines it hits
    per_line = any(tok in search.pattern.pattern for tok in _POSITIONAL)
    single = not start.is_dir()
    base = start.parent if single else start
    specials: list[Path] = []
    paths = iter([start]) if single else walk_files(search.root, start, specials)
    with search.reader:
        _search_files(search, paths, base, matcher, per_line, single)
    for path in specials:
        search.skip(NOT_REGULAR, path.relative_to(search.root).as_posix())


def _search_files(
    search: _Search,
    paths: Iterator[Path],
    base: Path,
    matcher: re.Pattern[str] | None,
    per_line: bool,
    single: bool,
) -> None:
    root_prefix = str(search.root).rstrip(os.sep) + os.sep
    base_prefix = str(base).rstrip(os.sep) + os.sep
    for path in paths:
        text_path = str(path)
        rel = text_path.removeprefix(root_prefix)
        if matcher and not matcher.match(text_path.removeprefix(base_prefix)):
            continue
        text = _read_text(search, path, rel, single)
        if text is None:
            continue
        if per_line:
            numbered = _match_every_line(search, text, rel)
        else:
            numbered = _match_candidates(search, text, rel)
        for number, line in numbered:
            search.total += 1
            if len(search.lines) < MAX_MATCHES:
                if len(line) > MAX_LINE_CHARS:
                    line = line[:MAX_LINE_CHARS] + "…"
                search.lines.append(f"{rel}:{number}:{line}")
        search.files += bool(numbered)


def _match_every_line(search: _Search, text: str, rel: str) -> list[tuple[int, str]]:
    return [(number, line) for number, line in enumerate(split_lines(text), 1)
            if search.matches(line, rel)]


def _match_candidates(search: _Search, text: str, rel: str) -> list[tuple[int, str]]:
    """Lines that match on their own, found by searching the whole text from line to line.

    For patterns without anchors or lookarounds a line that matches alone also holds the
    start of the first whole-text match searched from its start, so jumping from each
    hit's line to the next line start visits every matching line; each candidate line
    is then checked on its own (a match may have run across a line end). One regex
    call per matching line instead of one per line.
    """
    found: list[tuple[int, str]] = []
    starts: list[int] | None = None
    pos = 0
    while pos <= len(text):
        hit = search.find(text, pos, rel)
        if hit is None:
            break
        if starts is None:
            starts = line_starts(text)
        index = bisect.bisect_right(starts, hit) - 1
        begin = starts[index]
        if begin >= len(text):  # the empty "line" after a final line end is no line
            break
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        line = text[begin:end].rstrip("\r\n")
        if search.matches(line, rel):
            found.append((index + 1, line))
        if index + 1 >= len(starts):  # that was the last line
            break
        pos = end
    return found


def _read_text(search: _Search, path: Path, rel: str, single: bool) -> str | None:
    """Text of a file worth searching; None (and a note in `skipped`) when it is not."""
    try:
        data = _read_inside(search, path)
    except safe_open.FileTooLargeError as exc:
        return _refuse(search, TOO_LARGE, rel, exc, single)
    except safe_open.NotRegularFileError as exc:
        return _refuse(search, NOT_REGULAR, rel, exc, single)
    except (OSError, ToolError) as exc:
        message = exc if isinstance(exc, ToolError) else ToolError(f"{rel}: {exc.strerror}")
        return _refuse(search, UNREADABLE, rel, message, single)
    if b"\x00" in data[:8192]:
        return _refuse(search, BINARY, rel, ToolError(f"{rel} is a binary file"), single)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _refuse(search, NOT_UTF8, rel, ToolError(f"{rel} is not UTF-8 text"), single)


def _refuse(search: _Search, reason: str, rel: str, exc: ToolError, single: bool) -> str | None:
    """Note why `rel` is not searched; always None, so callers can `return _refuse(...)`."""
    search.skip(reason, rel)
    if single:
        search.refused = exc
    return None


def _read_inside(search: _Search, path: Path) -> bytes:
    """Open `path` without following symlinks; a symlink the walk let through (one that
    points inside the workspace) is resolved and checked again, then opened the same way."""
    try:
        return search.reader.read_bytes(path, max_bytes=search.max_bytes)
    except safe_open.PathChangedError:
        target = Path(os.path.realpath(path))
        if not (target == search.root or search.root in target.parents):
            raise
        return safe_open.read_bytes(target, max_bytes=search.max_bytes)


async def _in_daemon_thread(search: _Search, start: Path, file_glob: str | None) -> None:
    """Run the search in a daemon thread of its own and wait for it.

    Not a pool: a cancelled search goes on until its current match ends (at the latest
    at the deadline), and pool threads are joined at exit, so a server asked to exit
    would wait for it. A daemon thread does not hold up the exit.
    """
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def settle(error: BaseException | None) -> None:
        if done.done():
            return
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)

    def work() -> None:
        error: BaseException | None = None
        with _SLOTS:
            try:
                search.remaining()  # cancelled while waiting for a slot?
                _run_search(search, start, file_glob)
            except BaseException as exc:  # handed to the awaiting task
                error = exc
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody waits any more
            loop.call_soon_threadsafe(settle, error)

    threading.Thread(target=work, name="tether-grep", daemon=True).start()
    await done


def skipped_note(skipped: dict[str, list[str]], max_bytes: int) -> str:
    """One line naming what grep did not search and why; "" when it searched everything."""
    if not skipped:
        return ""
    count = sum(len(names) for names in skipped.values())
    parts = []
    for reason in (TOO_LARGE, NOT_REGULAR, BINARY, NOT_UTF8, UNREADABLE):
        names = skipped.get(reason)
        if not names:
            continue
        label = reason
        if reason == TOO_LARGE:
            label = (f"too large (over the {safe_open.format_bytes(max_bytes)} file size cap, "
                     f"setting {safe_open.CAP_SETTING})")
        shown = ", ".join(names[:NAMES_PER_REASON])
        more = f" (+{len(names) - NAMES_PER_REASON} more)" if len(names) > NAMES_PER_REASON else ""
        parts.append(f"{label}: {shown}{more}")
    return f"[skipped {count} file{'s' if count != 1 else ''}: {'; '.join(parts)}]"


class GrepTool(BuiltinTool):
    name = "grep"
    description = (
        "Search file contents with a regular expression (Python syntax). Results are "
        "'path:line:text'. Skips .gitignore'd files; binary, huge and special files are "
        f"skipped and listed. `glob` narrows the files (e.g. '*.py'); at most {MAX_MATCHES} "
        "matches come back."
    )
    parameters = arguments_schema({
        "pattern": nonempty_string("Regular expression."),
        "path": {"type": "string", "description": "File or folder (default: root)."},
        "glob": {"type": "string", "description": "Only files matching this glob."},
        "ignoreCase": {"type": "boolean", "description": "Case-insensitive match."},
    }, required=["pattern"])

    def describe_call(self, args: dict[str, Any]) -> str:
        return f"Search for {args.get('pattern', '?')!r}"

    async def _run(self, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
        pattern = str(args["pattern"])
        try:
            compiled = regex.compile(pattern, regex.IGNORECASE if args.get("ignoreCase") else 0)
        except (regex.error, ValueError, OverflowError) as exc:
            return fail(f"invalid regular expression {pattern!r}: {exc}")
        raw, start = folder_arg(ctx, args)
        if not start.exists():
            return fail(f"{raw} does not exist")
        search = _Search(ctx.workspace.root, compiled, ctx.max_file_bytes,
                         time.monotonic() + ctx.grep_timeout, threading.Event())
        file_glob = args.get("glob") or None
        try:
            await _in_daemon_thread(search, start, file_glob)
        except _TimedOut as exc:
            return fail(
                f"grep: pattern timed out after {ctx.grep_timeout:g} s (setting grepTimeout) "
                f"while searching {exc.rel}; it probably backtracks without end (nested "
                "repeats like (a+)+ or (a|aa)+): simplify it, or narrow path or glob",
                matches=search.total,
            )
        except asyncio.CancelledError:
            search.stop.set()  # the worker stops at its next match or file
            raise
        if search.refused is not None:
            return fail(search.refused.message)
        note = skipped_note(search.skipped, ctx.max_file_bytes)
        if not search.lines:
            if start.is_dir() and is_ignored(ctx.workspace.root, start):
                note = f"({raw} is ignored by .gitignore, so it was not searched) {note}"
            text = f"no matches for {pattern!r}" + (f" {note}".rstrip() if note else "")
            return ToolOutcome(content=text, metadata={"matches": 0})
        content = "\n".join(search.lines)
        if search.total > len(search.lines):
            content += capped_note(len(search.lines), search.total,
                                   f"matches in {search.files} files",
                                   "narrow the pattern, path or glob")
        if note:
            content += "\n" + note
        return ToolOutcome(content=content,
                           metadata={"matches": search.total, "files": search.files})
