"""edit: exact search/replace in one file, applied through the editor (undoable there)."""

from __future__ import annotations

import difflib
from typing import Any

from tether.tools.base import ToolContext, ToolOutcome
from tether.tools.common import BuiltinTool, fail, resolve_path
from tether.tools.edit_support import submit_edit
from tether.workspace.diffs import split_lines


def _occurrences(text: str, needle: str) -> list[int]:
    """Start offsets of `needle` in `text`, overlapping ones included."""
    found: list[int] = []
    at = text.find(needle)
    while at != -1:
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


def _closest_hint(text: str, old: str) -> str:
    """Point the model at the line that looks most like the first line it searched for."""
    wanted = next((line for line in old.splitlines() if line.strip()), old).strip()
    lines = split_lines(text)
    best, best_ratio = -1, 0.0
    for number, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        matcher = difflib.SequenceMatcher(None, wanted, stripped, autojunk=False)
        if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = number, ratio
    if best < 0 or best_ratio < 0.5:
        return "read the file again and copy the text exactly"
    hint = f"the closest line is {best + 1}: {lines[best].strip()[:200]!r}"
    if lines[best].strip() == wanted:
        hint += " (the whitespace or the surrounding lines differ)"
    return hint + "; read the file again and copy the text exactly, whitespace included"


class EditTool(BuiltinTool):
    name = "edit"
    description = (
        "Replace one exact occurrence of `old` with `new` in a file. `old` must match the "
        "file's current text exactly (whitespace included) and only once: add surrounding "
        "lines to make it unique. Returns the unified diff. Use write_file for new files."
    )
    parameters: dict[str, Any] = {
        "type": "object",
        "properties": {
            "path": {"type": "string", "description": "File path, relative to the workspace."},
            "old": {"type": "string", "minLength": 1, "description": "Exact text to replace."},
            "new": {"type": "string", "description": "Replacement text."},
        },
        "required": ["path", "old", "new"],
        "additionalProperties": False,
    }
    read_only = False
    needs_permission = False

    def describe_call(self, args: dict[str, Any]) -> str:
        return f"Edit {args.get('path', '?')}"

    async def _run(self, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
        raw = str(args["path"])
        old, new = str(args["old"]), str(args["new"])
        if old == new:
            return fail("edit: old and new are identical; nothing to change")
        path = resolve_path(ctx, raw)
        if path.is_dir():
            return fail(f"{raw} is a directory, not a file")
        snapshot = await ctx.bridge.read_document(path)
        if not snapshot.exists:
            return fail(f"{raw} does not exist; use write_file to create it")
        text = snapshot.text
        hits = _occurrences(text, old)
        if not hits and "\r\n" in text and "\r" not in old:
            # the model writes "\n"; a CRLF file stores "\r\n"
            old, new = old.replace("\n", "\r\n"), new.replace("\n", "\r\n")
            hits = _occurrences(text, old)
        if not hits:
            return fail(f"edit: the text to replace was not found in {raw}; "
                        + _closest_hint(text, old))
        if len(hits) > 1:
            lines = ", ".join(str(_line_of(text, at)) for at in hits[:10])
            return fail(
                f"edit: the text to replace occurs {len(hits)} times in {raw} (lines {lines}); "
                "include more surrounding lines in `old` so it matches exactly once"
            )
        at = hits[0]
        new_text = text[:at] + new + text[at + len(old) :]
        return await submit_edit(ctx, path, snapshot, new_text)
