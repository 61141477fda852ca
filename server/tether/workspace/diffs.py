"""Unified diffs of whole-file edits, for tool results, events and the user's review."""

from __future__ import annotations

import difflib
import re

_NO_NEWLINE = "\\ No newline at end of file\n"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def split_lines(text: str, *, keepends: bool = False) -> list[str]:
    """Lines as editors and LSP count them: ends are \\n, \\r\\n or \\r only.

    `str.splitlines` also splits on form feeds, U+2028 and friends, which would make our
    line numbers disagree with the editor's.
    """
    lines = _LINE.findall(text)
    return lines if keepends else [line.rstrip("\r\n") for line in lines]


def unified_diff(old: str, new: str, path: str, context: int = 3) -> str:
    """A `git diff`-style unified diff of `old` → `new` with `a/path` and `b/path` headers.

    A last line without a newline gets git's "\\ No newline at end of file" marker, so a
    change that only adds or removes the final newline still shows up and the diff can be
    applied by `patch`/`git apply`. Empty string when the texts are equal.
    """
    if old == new:
        return ""
    lines = difflib.unified_diff(
        split_lines(old, keepends=True),
        split_lines(new, keepends=True),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
        n=context,
    )
    out: list[str] = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n")
            out.append(_NO_NEWLINE)
    return "".join(out)
