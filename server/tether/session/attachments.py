"""Turning the editor's context (active file, selection, extra files) into message parts.

Text is read through the bridge, so an unsaved buffer is what the model sees. Only
regular files within the file size cap are read (a FIFO would hang the prompt, a device
or a huge file would fill memory); one that is not is left out with a note saying why.
"""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

from tether.errors import PathOutsideWorkspaceError, ToolError
from tether.protocol.methods import PromptContext
from tether.protocol.models import FilePart, Part, TextPart
from tether.workspace import safe_open
from tether.workspace.bridge import DocumentSnapshot, EditorBridge
from tether.workspace.folder import WorkspaceFolder, path_to_uri, uri_to_path

log = logging.getLogger(__name__)

MAX_ATTACHED_CHARS = 100_000
IDENTIFIER = re.compile(r"`([A-Za-z_][A-Za-z0-9_.]*)`|\b([A-Za-z_]+[A-Z_][A-Za-z0-9_]*)\b")


async def context_parts(
    text: str,
    context: PromptContext | None,
    folder: WorkspaceFolder,
    bridge: EditorBridge,
    *,
    max_bytes: int = safe_open.DEFAULT_MAX_FILE_BYTES,
) -> list[Part]:
    parts: list[Part] = [TextPart(text=text)]
    if context is None:
        return parts
    if context.active_file_uri:
        part = await _active_file(context, folder, bridge, max_bytes)
        if part is not None:
            parts.append(part)
    for uri in context.extra_file_uris:
        part = await _whole_file(uri, folder, bridge, max_bytes)
        if part is not None:
            parts.append(part)
    return parts


async def _active_file(
    context: PromptContext, folder: WorkspaceFolder, bridge: EditorBridge, max_bytes: int
) -> Part | None:
    assert context.active_file_uri is not None
    path = _inside(context.active_file_uri, folder)
    if path is None:
        return None
    uri = path_to_uri(path)
    if context.selection is None:
        return FilePart(uri=uri)
    try:
        snapshot = await _read(bridge, path, max_bytes)
    except ToolError as exc:
        return _left_out(folder, path, exc)
    lines = snapshot.text.splitlines(keepends=True)
    start, end = context.selection.start, context.selection.end
    if not lines or (start.line, start.character) == (end.line, end.character):
        return FilePart(uri=uri, range_start_line=start.line, range_end_line=start.line)
    last = min(end.line, len(lines) - 1)
    if end.character == 0 and end.line > start.line:
        last = min(end.line - 1, len(lines) - 1)
    selected = "".join(lines[start.line : last + 1])[:MAX_ATTACHED_CHARS]
    return FilePart(uri=uri, text=selected, range_start_line=start.line, range_end_line=last)


async def _whole_file(
    uri: str, folder: WorkspaceFolder, bridge: EditorBridge, max_bytes: int
) -> Part | None:
    path = _inside(uri, folder)
    if path is None:
        return None
    try:
        snapshot = await _read(bridge, path, max_bytes)
    except ToolError as exc:
        return _left_out(folder, path, exc)
    if not snapshot.exists:
        return None
    return FilePart(uri=path_to_uri(path), text=snapshot.text[:MAX_ATTACHED_CHARS])


async def _read(bridge: EditorBridge, path: Path, max_bytes: int) -> DocumentSnapshot:
    """The live text of `path`, refusing (ToolError) special files and files over the cap.

    The disk is looked at first without opening anything; an open buffer still wins.
    """
    await asyncio.to_thread(safe_open.check_on_disk, path, max_bytes=max_bytes,
                            label=path.name)
    snapshot = await bridge.read_document(path)
    if len(snapshot.text) > max_bytes:  # an editor buffer past the cap
        raise safe_open.too_large(path.name, len(snapshot.text), max_bytes)
    return snapshot


def _left_out(folder: WorkspaceFolder, path: Path, exc: ToolError) -> TextPart:
    log.info("context file %s not attached: %s", path, exc.message)
    return TextPart(text=f"[{folder.relative(path)} not attached: {exc.message}]")


def _inside(uri: str, folder: WorkspaceFolder) -> Path | None:
    try:
        return folder.resolve(uri_to_path(uri))
    except (PathOutsideWorkspaceError, ValueError) as exc:
        log.info("context file %s not attached: %s", uri, exc)
        return None


def mentioned_identifiers(text: str) -> list[str]:
    """Identifiers the user wrote (`quoted` or camel/snake case), to steer the repo map."""
    found: list[str] = []
    for quoted, plain in IDENTIFIER.findall(text):
        name = quoted or plain
        if name and name not in found:
            found.append(name)
    return found[:20]
