"""write_file: create a file or replace its whole text, through the editor bridge."""

from __future__ import annotations

from typing import Any

from tether.tools.base import ToolContext, ToolOutcome
from tether.tools.common import FILE_PATH, BuiltinTool, check_size, fail, file_arg, read_checked
from tether.tools.edit_support import submit_edit
from tether.tools.schema import arguments_schema


class WriteFileTool(BuiltinTool):
    name = "write_file"
    description = (
        "Create a file, or replace the whole content of an existing one (parent folders "
        "are created). Prefer edit for changing part of an existing file."
    )
    parameters = arguments_schema({
        "path": FILE_PATH,
        "content": {"type": "string", "description": "The complete new file content."},
    }, required=["path", "content"])
    read_only = False  # no permission asked, like edit: reviewable and undoable in the editor

    def describe_call(self, args: dict[str, Any]) -> str:
        return f"Write {args.get('path', '?')}"

    async def _run(self, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
        raw, path = file_arg(ctx, args, "is a directory; give a file path")
        content = str(args["content"])
        for parent in path.parents:
            if parent == ctx.workspace.root:
                break
            if parent.exists() and not parent.is_dir():
                return fail(f"cannot create {raw}: {ctx.workspace.relative(parent)} is a file")
        check_size(ctx, raw, content)
        snapshot = await read_checked(ctx, path, raw)
        if snapshot.exists and snapshot.text == content:
            return ToolOutcome(content=f"{raw} already has this content; nothing changed")
        return await submit_edit(ctx, path, snapshot, content)
