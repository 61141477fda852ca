"""glob: files of the workspace matching a pattern, skipping what .gitignore ignores."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tether.tools.base import ToolContext, ToolOutcome
from tether.tools.common import BuiltinTool, capped_note, fail, folder_arg
from tether.tools.schema import arguments_schema, nonempty_string
from tether.tools.walk import glob_matcher, is_ignored, walk_files

MAX_RESULTS = 1000


def _glob(root: Path, start: Path, pattern: str) -> tuple[list[str], int, list[str]]:
    """(first matches, how many matched, matching FIFOs/sockets/devices left out)."""
    matcher = glob_matcher(pattern)
    specials: list[Path] = []
    found = sorted(
        path.relative_to(root).as_posix()
        for path in walk_files(root, start, specials)
        if matcher.match(path.relative_to(start).as_posix())
    )
    left_out = sorted(
        path.relative_to(root).as_posix()
        for path in specials
        if matcher.match(path.relative_to(start).as_posix())
    )
    return found[:MAX_RESULTS], len(found), left_out


def specials_note(names: list[str]) -> str:
    if not names:
        return ""
    shown = ", ".join(names[:5]) + (f" (+{len(names) - 5} more)" if len(names) > 5 else "")
    return f"[left out, not a regular file (FIFO, socket or device): {shown}]"


class GlobTool(BuiltinTool):
    name = "glob"
    description = (
        "Find files by glob pattern, e.g. '**/*.py', 'src/*.ts', '*.{js,ts}'. A pattern "
        "without '/' matches file names at any depth. Files ignored by .gitignore are "
        f"skipped. Paths are relative to the workspace, sorted, at most {MAX_RESULTS}."
    )
    parameters = arguments_schema({
        "pattern": nonempty_string("Glob pattern."),
        "path": {"type": "string", "description": "Folder to search in (default: root)."},
    }, required=["pattern"])

    def describe_call(self, args: dict[str, Any]) -> str:
        return f"Find files matching {args.get('pattern', '?')}"

    async def _run(self, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
        raw, start = folder_arg(ctx, args)
        if not start.is_dir():
            return fail(f"{raw} is not a folder")
        pattern = str(args["pattern"])
        found, total, left_out = await asyncio.to_thread(
            _glob, ctx.workspace.root, start, pattern)
        special = specials_note(left_out)
        if not found:
            note = ""
            if is_ignored(ctx.workspace.root, start):
                note = f" ({raw} is ignored by .gitignore, so it was not searched)"
            note += f" {special}" if special else ""
            return ToolOutcome(content=f"no files match {pattern}{note}", metadata={"count": 0})
        content = "\n".join(found)
        if total > len(found):
            content += capped_note(len(found), total, "files", "narrow the pattern")
        if special:
            content += "\n" + special
        return ToolOutcome(content=content, metadata={"count": total})
