"""The tools' view of the workspace walk (grep, glob), and glob patterns over its paths.

The walk is `tether.workspace.walk`, the same one the index uses, so grep/glob and
`search_code` see the same files: git's ignore rules plus `.ignore`, VCS dirs skipped,
symlinks followed only inside the workspace, regular files only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from tether.workspace import walk as workspace_walk


def is_ignored(root: Path, path: Path) -> bool:
    """Whether `path` (a folder or file inside `root`) is ignored by the walk's rules."""
    if path == root:
        return False
    rules = workspace_walk.IgnoreRules(root)
    return rules.is_ignored(path.relative_to(root).as_posix(), path.is_dir())


def walk_files(
    root: Path, start: Path, specials: list[Path] | None = None
) -> Iterator[Path]:
    """Regular files under `start` (inside workspace `root`), not ignored, in name order.

    FIFOs, sockets and devices are never yielded (opening one blocks or never ends);
    they are appended to `specials`, when given, so the caller can report them.
    """
    rel = "" if start == root else start.relative_to(root).as_posix()
    names: list[str] = []
    for found in workspace_walk.walk(workspace_walk.IgnoreRules(root), rel, specials=names):
        if names and specials is not None:
            specials += [root / name for name in names]
        names.clear()
        yield root / found.rel
    if specials is not None:
        specials += [root / name for name in names]


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
