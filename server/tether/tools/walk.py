"""A gitignore-aware walk of the workspace, shared by glob and grep.

Honours `.gitignore` files at every level (and `.git/info/exclude`), with git's
precedence: deeper files and later lines win, `!pattern` re-includes, and an ignored
directory is never entered. `.git/` is always skipped. Symlinked directories are not
followed (no loops, no escapes); a symlinked file is listed only if it points inside the
workspace.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pathspec import GitIgnoreSpec

from tether.errors import ToolError
from tether.workspace import safe_open

IGNORE_FILE_MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class _Rules:
    base: Path  # the folder the patterns are relative to
    spec: GitIgnoreSpec


def _load(base: Path, file: Path) -> _Rules | None:
    try:  # a FIFO named .gitignore must not hang the walk: regular files only
        with open(file, "rb", opener=safe_open.regular_opener) as handle:
            data = handle.read(IGNORE_FILE_MAX_BYTES)
    except (OSError, ToolError):
        return None
    lines = data.decode("utf-8", errors="replace").splitlines()
    lines = [line for line in lines if line.strip() and not line.startswith("#")]
    if not lines:
        return None
    return _Rules(base, GitIgnoreSpec.from_lines(lines))


def _relative(path: str, base: Path) -> str:
    """`path` relative to `base`, a folder above it (string work: pathlib is slow here)."""
    prefix = str(base).rstrip(os.sep) + os.sep
    if path.startswith(prefix):
        return path[len(prefix):].replace(os.sep, "/")
    return Path(path).relative_to(base).as_posix()


def _ignored(rules: list[_Rules], path: Path, is_dir: bool) -> bool:
    verdict: bool | None = None
    text = str(path)
    for rule in rules:  # outermost first: deeper .gitignore files override
        rel = _relative(text, rule.base) + ("/" if is_dir else "")
        result = rule.spec.check_file(rel)
        if result.include is not None:
            verdict = result.include
    return bool(verdict)


def _rules_for(root: Path, start: Path) -> list[_Rules]:
    """The ignore rules in force at folder `start`: .git/info/exclude, then .gitignores."""
    rules: list[_Rules] = []
    exclude = _load(root, root / ".git" / "info" / "exclude")
    if exclude:
        rules.append(exclude)
    # .gitignore files of the folders above `start` apply to it too
    chain = [start, *start.parents]
    for folder in reversed(chain[: chain.index(root) + 1] if root in chain else [start]):
        loaded = _load(folder, folder / ".gitignore")
        if loaded:
            rules.append(loaded)
    return rules


def is_ignored(root: Path, path: Path) -> bool:
    """Whether `path` (a folder or file inside `root`) is ignored by git's ignore rules."""
    if path == root:
        return False
    parts = path.relative_to(root).parts
    if ".git" in parts:
        return True
    current = root
    for index, part in enumerate(parts):  # an ignored folder hides everything below it
        current = current / part
        is_dir = index < len(parts) - 1 or current.is_dir()
        if _ignored(_rules_for(root, current.parent), current, is_dir):
            return True
    return False


def walk_files(
    root: Path, start: Path, specials: list[Path] | None = None
) -> Iterator[Path]:
    """Regular files under `start` (inside workspace `root`), not ignored, sorted.

    FIFOs, sockets and devices are never yielded (opening one blocks or never ends);
    they are appended to `specials`, when given, so the caller can report them.
    """
    if is_ignored(root, start):
        return
    yield from _walk(root, start, _rules_for(root, start), specials)


def _walk(
    root: Path, folder: Path, rules: list[_Rules], specials: list[Path] | None
) -> Iterator[Path]:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name == ".git":
            continue
        path = folder / entry.name
        try:
            is_link = entry.is_symlink()
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            continue
        if is_dir:
            if _ignored(rules, path, True):
                continue
            child = _load(path, path / ".gitignore")
            yield from _walk(root, path, [*rules, child] if child else rules, specials)
            continue
        if _ignored(rules, path, False):
            continue
        if is_link:
            target = Path(os.path.realpath(path))
            if not (target == root or root in target.parents) or not target.exists():
                continue
            if target.is_dir():  # symlinked folders are not followed
                continue
            regular = target.is_file()
        else:
            try:
                regular = entry.is_file(follow_symlinks=False)
            except OSError:
                continue
        if not regular:
            if specials is not None:
                specials.append(path)
            continue
        yield path


def glob_matcher(pattern: str) -> re.Pattern[str]:
    """A regex for a glob over relative POSIX paths.

    `*` and `?` stay within one path segment, `**/` spans folders, `[abc]`/`[!abc]` and
    `{a,b}` work as in shells. A pattern without "/" matches the file name at any depth
    (like .gitignore and `rg -g`), so "*.py" finds every Python file.
    """
    return _compile(pattern)


@lru_cache(maxsize=64)
def _compile(pattern: str) -> re.Pattern[str]:
    text = pattern.strip()
    anchored = text.startswith("/")  # "/name" means the top level only, as in .gitignore
    body = text.lstrip("/").removeprefix("./")
    regex = _translate(body)
    if "/" not in body and not anchored:
        regex = f"(?:.*/)?{regex}"
    return re.compile(f"{regex}\\Z", re.DOTALL)


def _translate(pattern: str) -> str:
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            if pattern.startswith("**", i):
                j = i + 2
                if j < n and pattern[j] == "/":
                    out.append("(?:.*/)?")
                    i = j + 1
                else:
                    out.append(".*")
                    i = j
                continue
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("!", "^") else i + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                inner = pattern[i + 1 : end]
                negate = inner[:1] in ("!", "^")
                inner = inner[1:] if negate else inner
                inner = inner.replace("\\", "\\\\")
                out.append(f"[{'^/' if negate else ''}{inner}]")
                i = end
        elif c == "{":
            end = pattern.find("}", i)
            if end == -1:
                out.append(re.escape(c))
            else:
                options = pattern[i + 1 : end].split(",")
                out.append("(?:" + "|".join(_translate(o) for o in options) + ")")
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)
