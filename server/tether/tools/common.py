"""What every built-in tool shares: argument checks, path safety, errors as outcomes."""

from __future__ import annotations

import asyncio
import errno
import logging
from pathlib import Path
from typing import Any

from tether.errors import PathOutsideWorkspaceError, ToolError
from tether.tools.base import ToolContext, ToolOutcome
from tether.tools.schema import check_arguments
from tether.workspace import safe_open
from tether.workspace.bridge import DocumentSnapshot

log = logging.getLogger(__name__)


FILE_PATH: dict[str, Any] = {"type": "string",
                             "description": "File path, relative to the workspace."}


def fail(message: str, **metadata: Any) -> ToolOutcome:
    return ToolOutcome(content=message, is_error=True, metadata=dict(metadata))


def resolve_path(ctx: ToolContext, raw: str) -> Path:
    """The canonical path of `raw` inside the workspace, or a ToolError the model can read."""
    if "\x00" in raw:
        raise ToolError(f"path {raw!r} contains a NUL character")
    try:
        return ctx.workspace.resolve(raw)
    except PathOutsideWorkspaceError:
        raise PathOutsideWorkspaceError(
            f"path {raw} is outside the workspace ({ctx.workspace.root})",
            data={"path": raw, "workspace": str(ctx.workspace.root)},
        ) from None


def folder_arg(ctx: ToolContext, args: dict[str, Any]) -> tuple[str, Path]:
    """The `path` argument of a tool that looks below a folder (default: the root),
    as given and resolved."""
    raw = str(args.get("path") or ".")
    return raw, resolve_path(ctx, raw)


def file_arg(ctx: ToolContext, args: dict[str, Any], if_folder: str) -> tuple[str, Path]:
    """The required `path` argument naming a file, as given and resolved; a folder is
    refused with "<path> <if_folder>"."""
    raw = str(args["path"])
    path = resolve_path(ctx, raw)
    if path.is_dir():
        raise ToolError(f"{raw} {if_folder}")
    return raw, path


def capped_note(shown: int, total: int, what: str, advice: str) -> str:
    """The line under a list cut short, telling the model how to see the rest."""
    return f"\n[capped: {shown} of {total} {what} shown; {advice}]"


async def check_file(ctx: ToolContext, path: Path, raw: str) -> bool:
    """Whether `path` exists on disk; refuses non-regular files and files over the cap.

    Looked at without opening it and without following symlinks (safe_open); the
    bridge's own read repeats the checks when it opens the file.
    """
    return await asyncio.to_thread(
        safe_open.check_on_disk, path, max_bytes=ctx.max_file_bytes, label=raw)


async def read_checked(ctx: ToolContext, path: Path, raw: str) -> DocumentSnapshot:
    """The live text of `path` (open buffer first), refusing special and oversized files."""
    await check_file(ctx, path, raw)
    snapshot = await ctx.bridge.read_document(path)
    check_size(ctx, raw, snapshot.text)
    return snapshot


def check_size(ctx: ToolContext, raw: str, text: str) -> None:
    """Refuse text (a buffer, a new file, an edit's result) over the file size cap."""
    safe_open.check_text_size(raw, text, ctx.max_file_bytes)


def cap_text(text: str, limit: int, what: str = "output") -> tuple[str, bool]:
    """Keep the head and tail of `text` within `limit` characters, saying what was cut."""
    if len(text) <= limit:
        return text, False
    head = limit * 2 // 3
    tail = limit - head
    cut = len(text) - head - tail
    return f"{text[:head]}\n[... {cut} characters of {what} omitted ...]\n{text[-tail:]}", True


class BuiltinTool:
    """Base of the built-in tools: validates, runs `_run`, turns failures into outcomes.

    Subclasses set the class attributes and implement `_run`; `run` never raises for bad
    arguments, paths outside the workspace or OS errors — the model reads an error outcome.
    Cancellation (CancelledError) always propagates.
    """

    name: str
    description: str
    parameters: dict[str, Any]
    read_only: bool = True
    needs_permission: bool = False

    def describe_call(self, args: dict[str, Any]) -> str:
        return f"{self.name} {args.get('path', '')}".strip()

    async def run(self, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
        problem = check_arguments(self.name, self.parameters, args)
        if problem:
            return fail(problem)
        try:
            return await self._run(args, ctx)
        except ToolError as exc:
            return fail(exc.message)
        except OSError as exc:
            return fail(_os_message(exc))
        except Exception as exc:  # a bug must not kill the turn; the model sees a short note
            log.exception("tool %s failed", self.name)
            return fail(f"{self.name} failed unexpectedly: {type(exc).__name__}: {exc}")

    async def _run(self, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
        raise NotImplementedError


def _os_message(exc: OSError) -> str:
    where = f"{exc.filename}: " if exc.filename else ""
    if exc.errno == errno.ELOOP:
        return f"{where}too many levels of symbolic links (a symlink loop?)"
    if exc.errno == errno.EACCES:
        return f"{where}permission denied"
    return f"{where}{exc.strerror or exc}"
