"""grep: a regular expression over the workspace's text files, gitignore-aware.

Pure Python (ripgrep is not a dependency): the walk and the matching run in a thread so
the event loop keeps streaming other sessions' events meanwhile.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from tether.tools.base import ToolContext, ToolOutcome
from tether.tools.common import BuiltinTool, fail, resolve_path
from tether.tools.walk import glob_matcher, is_ignored, walk_files
from tether.workspace.diffs import split_lines

MAX_MATCHES = 200
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_LINE_CHARS = 300
_POSITIONAL = ("^", "$", "\\A", "\\Z", "(?")


def _search(
    root: Path, start: Path, regex: re.Pattern[str], file_glob: str | None
) -> tuple[list[str], int, int]:
    matcher = glob_matcher(file_glob) if file_glob else None
    # most files have no match: one search over the whole text rules them out quickly,
    # unless the pattern's meaning depends on where a line starts or ends
    whole_file_check = not any(tok in regex.pattern for tok in _POSITIONAL)
    base = start if start.is_dir() else start.parent
    paths = walk_files(root, start) if start.is_dir() else [start]
    lines: list[str] = []
    total = files = 0
    for path in paths:
        if matcher and not matcher.match(path.relative_to(base).as_posix()):
            continue
        text = _read_text(path)
        if text is None or (whole_file_check and not regex.search(text)):
            continue
        hit = False
        rel = path.relative_to(root).as_posix()
        for number, line in enumerate(split_lines(text), 1):
            if regex.search(line):
                hit = True
                total += 1
                if len(lines) < MAX_MATCHES:
                    if len(line) > MAX_LINE_CHARS:
                        line = line[:MAX_LINE_CHARS] + "…"
                    lines.append(f"{rel}:{number}:{line}")
        files += hit
    return lines, total, files


def _read_text(path: Path) -> str | None:
    """Text of a file worth searching; None for binary, huge or unreadable files."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if b"\x00" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


class GrepTool(BuiltinTool):
    name = "grep"
    description = (
        "Search file contents with a regular expression (Python syntax). Results are "
        "'path:line:text'. Skips .gitignore'd, binary and huge files. `glob` narrows the "
        f"files (e.g. '*.py'); at most {MAX_MATCHES} matches come back."
    )
    parameters: dict[str, Any] = {
        "type": "object",
        "properties": {
            "pattern": {"type": "string", "minLength": 1, "description": "Regular expression."},
            "path": {"type": "string", "description": "File or folder (default: root)."},
            "glob": {"type": "string", "description": "Only files matching this glob."},
            "ignoreCase": {"type": "boolean", "description": "Case-insensitive match."},
        },
        "required": ["pattern"],
        "additionalProperties": False,
    }
    read_only = True
    needs_permission = False

    def describe_call(self, args: dict[str, Any]) -> str:
        return f"Search for {args.get('pattern', '?')!r}"

    async def _run(self, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
        pattern = str(args["pattern"])
        try:
            regex = re.compile(pattern, re.IGNORECASE if args.get("ignoreCase") else 0)
        except re.error as exc:
            return fail(f"invalid regular expression {pattern!r}: {exc}")
        raw = str(args.get("path") or ".")
        start = resolve_path(ctx, raw)
        if not start.exists():
            return fail(f"{raw} does not exist")
        file_glob = args.get("glob") or None
        lines, total, files = await asyncio.to_thread(
            _search, ctx.workspace.root, start, regex, file_glob
        )
        if not lines:
            note = ""
            if start.is_dir() and is_ignored(ctx.workspace.root, start):
                note = f" ({raw} is ignored by .gitignore, so it was not searched)"
            return ToolOutcome(
                content=f"no matches for {pattern!r}{note}", metadata={"matches": 0}
            )
        content = "\n".join(lines)
        if total > len(lines):
            content += (
                f"\n[capped: {len(lines)} of {total} matches in {files} files shown; narrow "
                "the pattern, path or glob]"
            )
        return ToolOutcome(content=content, metadata={"matches": total, "files": files})
