"""read_file: the live text of a file (the open buffer when there is one), numbered."""

from __future__ import annotations

import asyncio
from typing import Any

from tether.errors import ToolError
from tether.tools.base import ToolContext, ToolOutcome
from tether.tools.common import FILE_PATH, BuiltinTool, fail, file_arg, read_checked
from tether.tools.schema import arguments_schema
from tether.workspace.diffs import split_lines
from tether.workspace.safe_open import FileTooLargeError

MAX_LINES = 2000
MAX_CHARS = 100_000
MAX_LINE_CHARS = 2000


class ReadFileTool(BuiltinTool):
    name = "read_file"
    description = (
        "Read a text file of the workspace (unsaved editor changes included). Lines come "
        "numbered like '  12│text'. Use startLine/endLine (1-based, inclusive) for part of "
        f"a long file; at most {MAX_LINES} lines or {MAX_CHARS // 1000} KB come back per call."
    )
    parameters = arguments_schema({
        "path": FILE_PATH,
        "startLine": {"type": "integer", "minimum": 1, "description": "First line (1-based)."},
        "endLine": {"type": "integer", "minimum": 1, "description": "Last line, inclusive."},
    }, required=["path"])

    def describe_call(self, args: dict[str, Any]) -> str:
        return f"Read {args.get('path', '?')}"

    async def _run(self, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
        raw, path = file_arg(ctx, args, "is a directory; use list_dir to see what is in it")
        try:
            snapshot = await read_checked(ctx, path, raw)
        except FileTooLargeError as exc:
            return fail(f"{exc.message}; use grep to find the lines you need, or run_command "
                        "with head/tail/sed")
        if not snapshot.exists:
            return fail(f"{raw} does not exist")
        text = snapshot.text
        if "\x00" in text[:8192]:
            raise ToolError(f"{raw} is a binary file; read_file only reads text")
        return await asyncio.to_thread(_render, raw, text, args)


def _render(raw: str, text: str, args: dict[str, Any]) -> ToolOutcome:
    """The numbered lines asked for (up to 10 MB of text: done off the event loop)."""
    lines = split_lines(text)
    total = len(lines)
    if total == 0:
        return ToolOutcome(content=f"({raw} is empty)", metadata={"lines": 0})
    start = int(args.get("startLine") or 1)
    end = int(args.get("endLine") or total)
    if start > total:
        return fail(f"startLine {start} is past the end of {raw} ({total} lines)")
    if end < start:
        return fail(f"endLine {end} is before startLine {start}")
    end = min(end, total)
    width = max(6, len(str(end)) + 2)
    out: list[str] = []
    size = 0
    last = start - 1
    for number in range(start, end + 1):
        line = lines[number - 1]
        if len(line) > MAX_LINE_CHARS:
            line = line[:MAX_LINE_CHARS] + f"… [{len(line) - MAX_LINE_CHARS} more chars]"
        rendered = f"{number:>{width}}│{line}"
        if number - start >= MAX_LINES or size + len(rendered) + 1 > MAX_CHARS:
            break
        out.append(rendered)
        size += len(rendered) + 1
        last = number
    if last < end:
        out.append(
            f"[capped: showed lines {start}-{last} of {total}; call read_file with "
            f"startLine={last + 1} to read more]"
        )
    return ToolOutcome(
        content="\n".join(out),
        metadata={"lines": total, "startLine": start, "endLine": last},
    )
