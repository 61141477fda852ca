"""edit: exact search/replace in one file, applied through the editor (undoable there)."""

from __future__ import annotations

import asyncio
import difflib
import time
from typing import Any

from tether.tools.base import ToolContext, ToolOutcome
from tether.tools.common import FILE_PATH, BuiltinTool, check_size, fail, file_arg, read_checked
from tether.tools.edit_support import submit_edit
from tether.tools.schema import arguments_schema, nonempty_string
from tether.workspace.diffs import split_lines

HINT_SECONDS = 2.0  # the closest-line hint gives up after this long
HINT_MAX_CHARS = 4_000_000  # and is not tried on bigger files


def _occurrences(text: str, needle: str, limit: int) -> list[int]:
    """Start offsets of `needle` in `text`, overlapping ones included (at most `limit`)."""
    found: list[int] = []
    at = text.find(needle)
    while at != -1 and len(found) < limit:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def _line_of(text: str, offset: int) -> int:
    """1-based line of `offset`, counting \\n, \\r\\n and \\r as line ends."""
    return (
        text.count("\n", 0, offset)
        + text.count("\r", 0, offset)
        - text.count("\r\n", 0, offset)
        + 1
    )


def closest_hint(
    text: str,
    old: str,
    *,
    deadline: float = HINT_SECONDS,
    max_chars: int = HINT_MAX_CHARS,
) -> str:
    """Point the model at the line that looks most like the first line it searched for.

    Fuzzy matching is quadratic per line and pure Python: it runs in a worker thread
    (never on the event loop), only over files up to `max_chars`, and gives up after
    `deadline` seconds with the plain advice.
    """
    plain = "read the file again and copy the text exactly"
    if len(text) > max_chars:
        return plain
    stop_at = time.monotonic() + deadline
    wanted = next((line for line in split_lines(old) if line.strip()), old).strip()[:500]
    lines = split_lines(text)
    best, best_ratio = -1, 0.0
    for number, line in enumerate(lines):
        if number % 256 == 0 and time.monotonic() >= stop_at:
            return plain
        stripped = line.strip()
        if not stripped:
            continue
        matcher = difflib.SequenceMatcher(None, wanted, stripped[:2000], autojunk=False)
        if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = number, ratio
    if best < 0 or best_ratio < 0.5:
        return plain
    hint = f"the closest line is {best + 1}: {lines[best].strip()[:200]!r}"
    if lines[best].strip() == wanted:
        hint += " (the whitespace or the surrounding lines differ)"
    return hint + "; read the file again and copy the text exactly, whitespace included"


def plan_edit(raw: str, text: str, old: str, new: str) -> str | ToolOutcome:
    """The new text when `old` occurs exactly once, else the error outcome for the model.

    Pure and CPU-bound on big files: called in a worker thread.
    """
    hits = _occurrences(text, old, limit=10_000)
    if not hits and "\r\n" in text and "\r" not in old:
        # the model writes "\n"; a CRLF file stores "\r\n"
        old, new = old.replace("\n", "\r\n"), new.replace("\n", "\r\n")
        hits = _occurrences(text, old, limit=10_000)
    if not hits:
        return fail(f"edit: the text to replace was not found in {raw}; "
                    + closest_hint(text, old))
    if len(hits) > 1:
        lines = ", ".join(str(_line_of(text, at)) for at in hits[:10])
        count = f"{len(hits)}" if len(hits) < 10_000 else "at least 10000"
        return fail(
            f"edit: the text to replace occurs {count} times in {raw} (lines {lines}); "
            "include more surrounding lines in `old` so it matches exactly once"
        )
    at = hits[0]
    return text[:at] + new + text[at + len(old) :]


class EditTool(BuiltinTool):
    name = "edit"
    description = (
        "Replace one exact occurrence of `old` with `new` in a file. `old` must match the "
        "file's current text exactly (whitespace included) and only once: add surrounding "
        "lines to make it unique. Returns the unified diff. Use write_file for new files."
    )
    parameters = arguments_schema({
        "path": FILE_PATH,
        "old": nonempty_string("Exact text to replace."),
        "new": {"type": "string", "description": "Replacement text."},
    }, required=["path", "old", "new"])
    read_only = False

    def describe_call(self, args: dict[str, Any]) -> str:
        return f"Edit {args.get('path', '?')}"

    async def _run(self, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
        old, new = str(args["old"]), str(args["new"])
        if old == new:
            return fail("edit: old and new are identical; nothing to change")
        raw, path = file_arg(ctx, args, "is a directory, not a file")
        snapshot = await read_checked(ctx, path, raw)
        if not snapshot.exists:
            return fail(f"{raw} does not exist; use write_file to create it")
        planned = await asyncio.to_thread(plan_edit, raw, snapshot.text, old, new)
        if isinstance(planned, ToolOutcome):
            return planned
        check_size(ctx, raw, planned)
        return await submit_edit(ctx, path, snapshot, planned)
