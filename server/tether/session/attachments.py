"""Turning the editor's context (active file, selection, extra files) into message parts.

Text is read through the bridge, so an unsaved buffer is what the model sees.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from tether.errors import PathOutsideWorkspaceError
from tether.protocol.methods import PromptContext
from tether.protocol.models import FilePart, Part, TextPart
from tether.workspace.bridge import EditorBridge
from tether.workspace.folder import WorkspaceFolder, path_to_uri, uri_to_path

log = logging.getLogger(__name__)

MAX_ATTACHED_CHARS = 100_000
IDENTIFIER = re.compile(r"`([A-Za-z_][A-Za-z0-9_.]*)`|\b([A-Za-z_]+[A-Z_][A-Za-z0-9_]*)\b")


async def context_parts(
    text: str, context: PromptContext | None, folder: WorkspaceFolder, bridge: EditorBridge
) -> list[Part]:
    parts: list[Part] = [TextPart(text=text)]
    if context is None:
        return parts
    if context.active_file_uri:
        part = await _active_file(context, folder, bridge)
        if part is not None:
            parts.append(part)
    for uri in context.extra_file_uris:
        part = await _whole_file(uri, folder, bridge)
        if part is not None:
            parts.append(part)
    return parts


async def _active_file(
    context: PromptContext, folder: WorkspaceFolder, bridge: EditorBridge
) -> FilePart | None:
    assert context.active_file_uri is not None
    path = _inside(context.active_file_uri, folder)
    if path is None:
        return None
    uri = path_to_uri(path)
    if context.selection is None:
        return FilePart(uri=uri)
    snapshot = await bridge.read_document(path)
    lines = snapshot.text.splitlines(keepends=True)
    start, end = context.selection.start, context.selection.end
    if not lines or (start.line, start.character) == (end.line, end.character):
        return FilePart(uri=uri, range_start_line=start.line, range_end_line=start.line)
    last = min(end.line, len(lines) - 1)
    if end.character == 0 and end.line > start.line:
        last = min(end.line - 1, len(lines) - 1)
    selected = "".join(lines[start.line : last + 1])[:MAX_ATTACHED_CHARS]
    return FilePart(uri=uri, text=selected, range_start_line=start.line, range_end_line=last)


async def _whole_file(uri: str, folder: WorkspaceFolder, bridge: EditorBridge) -> FilePart | None:
    path = _inside(uri, folder)
    if path is None:
        return None
    snapshot = await bridge.read_document(path)
    if not snapshot.exists:
        return None
    return FilePart(uri=path_to_uri(path), text=snapshot.text[:MAX_ATTACHED_CHARS])


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
