"""list_dir: what is in a folder of the workspace, folders marked with "/"."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from tether.tools.base import ToolContext, ToolOutcome
from tether.tools.common import BuiltinTool, capped_note, fail, folder_arg
from tether.tools.schema import arguments_schema
from tether.workspace.safe_open import kind_of

MAX_ENTRIES = 1000


def _entries(path: Path) -> list[str]:
    names: list[str] = []
    with os.scandir(path) as it:
        for entry in it:
            if entry.name == ".git":
                continue
            names.append(entry.name + _marker(entry))
    return sorted(names)


def _marker(entry: os.DirEntry[str]) -> str:
    """"/" for folders, " [FIFO (named pipe)]" and the like for what is not a regular file.

    Follows symlinks (a link to a folder reads as one); nothing is opened.
    """
    try:
        if entry.is_dir():
            return "/"
        if entry.is_file():
            return ""
        mode = entry.stat().st_mode
    except OSError:  # a broken link
        return ""
    return f" [{kind_of(mode).removeprefix('a ')}]"


class ListDirTool(BuiltinTool):
    name = "list_dir"
    description = (
        "List a folder of the workspace (default: its root). Folders end with '/', special "
        "files (FIFOs, sockets, devices) are marked and cannot be read; sorted; "
        f".git is hidden; at most {MAX_ENTRIES} entries."
    )
    parameters = arguments_schema({
        "path": {"type": "string", "description": "Folder, relative to the workspace."},
    })

    def describe_call(self, args: dict[str, Any]) -> str:
        return f"List {args.get('path') or '.'}"

    async def _run(self, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
        raw, path = folder_arg(ctx, args)
        if not path.exists():
            return fail(f"{raw} does not exist")
        if not path.is_dir():
            return fail(f"{raw} is a file, not a folder; use read_file to read it")
        names = await asyncio.to_thread(_entries, path)
        if not names:
            return ToolOutcome(content=f"({raw} is empty)", metadata={"count": 0})
        shown = names[:MAX_ENTRIES]
        content = "\n".join(shown)
        if len(names) > MAX_ENTRIES:
            content += capped_note(MAX_ENTRIES, len(names), "entries",
                                   "use glob with a pattern to narrow it")
        return ToolOutcome(content=content, metadata={"count": len(names)})
