"""Turning the editor's context (active file, selection, diagnostics, mentions) into parts.

Text is read through the bridge, so an unsaved buffer is what the model sees. Only
regular files within the file size cap are read (a FIFO would hang the prompt, a device
or a huge file would fill memory); one that is not is left out with a note saying why.
"""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

from tether.errors import ToolError
from tether.protocol.methods import PromptContext, PromptDiagnostic
from tether.protocol.models import CONTEXT_META, FilePart, Part, TextPart
from tether.session.mentions import mention_parts, path_in, resolve_text
from tether.tools.base import IndexQuery
from tether.workspace import safe_open
from tether.workspace.bridge import DocumentSnapshot, EditorBridge
from tether.workspace.diffs import split_lines
from tether.workspace.folder import WorkspaceFolder, path_to_uri, uri_to_path

log = logging.getLogger(__name__)

MAX_ATTACHED_CHARS = 100_000
MAX_DIAGNOSTICS = 100
IDENTIFIER = re.compile(r"`([A-Za-z_][A-Za-z0-9_.]*)`|\b([A-Za-z_]+[A-Z_][A-Za-z0-9_]*)\b")


async def context_parts(
    text: str, context: PromptContext | None, folder: WorkspaceFolder, bridge: EditorBridge,
    index: IndexQuery | None = None, *, max_bytes: int = safe_open.DEFAULT_MAX_FILE_BYTES,
) -> list[Part]:
    """The user's text, what the editor shows (active file, diagnostics), what they mentioned."""
    parts: list[Part] = [TextPart(text=text)]
    context = context or PromptContext()
    seen: set[str] = set()
    if context.active_file_uri:
        parts += await _active_file(context, folder, bridge, max_bytes)
    elif context.diagnostics:
        parts.append(context_text(_editor_block(None, context, folder)))
    for uri in context.extra_file_uris:
        part = await _whole_file(uri, folder, bridge, max_bytes)
        if part is not None:
            parts.append(part)
            if isinstance(part, FilePart):
                seen.add(f"file:{uri_to_path(part.uri)}:")
    typed = await resolve_text(text, folder, index, context.mentions)
    parts += await mention_parts([*context.mentions, *typed], folder, bridge, index, seen)
    return parts


async def _active_file(
    context: PromptContext, folder: WorkspaceFolder, bridge: EditorBridge, max_bytes: int
) -> list[Part]:
    """The active file as what it is: where, which language, cursor, selection, diagnostics.

    The file itself is not attached (the model reads it when it needs to); a selection is,
    as a `<file>` block with its lines.
    """
    assert context.active_file_uri is not None
    path = path_in(folder, context.active_file_uri, "context file")
    if path is None:
        return []
    uri = path_to_uri(path)
    selected: FilePart | None = None
    if context.selection is not None:
        try:
            snapshot = await _read(bridge, path, max_bytes)
        except ToolError as exc:
            return [context_text(_editor_block(path, context, folder)),
                    _left_out(folder, path, exc)]
        lines = split_lines(snapshot.text, keepends=True)
        start, end = context.selection.start, context.selection.end
        if lines and (start.line, start.character) != (end.line, end.character):
            last = min(end.line, len(lines) - 1)
            if end.character == 0 and end.line > start.line:
                last = min(end.line - 1, len(lines) - 1)
            text = "".join(lines[start.line : last + 1])[:MAX_ATTACHED_CHARS]
            selected = FilePart(uri=uri, text=text, range_start_line=start.line,
                                range_end_line=last)
    block = context_text(_editor_block(path, context, folder, selected))
    return [block] if selected is None else [block, selected]


def context_text(text: str, kind: str = "editor") -> TextPart:
    """A text part the model reads as context; clients do not show it as the user's words."""
    return TextPart(text=text, meta={CONTEXT_META: kind})


def _editor_block(path: Path | None, context: PromptContext, folder: WorkspaceFolder,
                  selected: FilePart | None = None) -> str:
    lines = ["<editor>"]
    if path is not None:
        rel = folder.relative(path)
        about = f"Active file: {rel}"
        if context.language_id:
            about += f" ({context.language_id})"
        if context.cursor is not None:
            about += f", cursor on line {context.cursor.line + 1}"
        lines.append(about + ".")
        if selected is not None and selected.range_start_line is not None:
            end = selected.range_end_line if selected.range_end_line is not None else \
                selected.range_start_line
            lines.append(f"Selected: lines {selected.range_start_line + 1}-{end + 1} "
                         "(attached below).")
        else:
            lines.append("Nothing is selected.")
    lines += _diagnostic_lines(path, context, folder)
    lines.append("</editor>")
    return "\n".join(lines)


def _diagnostic_lines(active: Path | None, context: PromptContext,
                      folder: WorkspaceFolder) -> list[str]:
    by_file: dict[str, list[PromptDiagnostic]] = {}
    for diag in context.diagnostics[:MAX_DIAGNOSTICS]:
        target = path_in(folder, diag.uri, "context file") if diag.uri else active
        if target is None:
            continue
        by_file.setdefault(folder.relative(target), []).append(diag)
    out: list[str] = []
    for rel, diags in by_file.items():
        out.append(f"Diagnostics in {rel} (as the editor shows them):")
        for d in sorted(diags, key=lambda d: (d.range.start.line, d.range.start.character)):
            tag = " ".join(x for x in (d.source, f"[{d.code}]" if d.code else None) if x)
            where = f"line {d.range.start.line + 1}:{d.range.start.character + 1}"
            out.append(f"- {where} {d.severity}{f' ({tag})' if tag else ''}: {d.message}")
    if len(context.diagnostics) > MAX_DIAGNOSTICS:
        out.append(f"(and {len(context.diagnostics) - MAX_DIAGNOSTICS} more)")
    return out


async def _whole_file(
    uri: str, folder: WorkspaceFolder, bridge: EditorBridge, max_bytes: int
) -> Part | None:
    path = path_in(folder, uri, "context file")
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


def mentioned_identifiers(text: str) -> list[str]:
    """Identifiers the user wrote (`quoted` or camel/snake case), to steer the repo map."""
    found: list[str] = []
    for quoted, plain in IDENTIFIER.findall(text):
        name = quoted or plain
        if name and name not in found:
            found.append(name)
    return found[:20]
