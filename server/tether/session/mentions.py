"""`@file`, `@folder` and `@symbol`: completing them, finding them in a prompt, attaching them.

Completion (`tether/mention/complete`) and resolution go through the workspace index:
file paths it knows and the symbols it parsed. A client sends the mentions the user chose
as structured context (`PromptContext.mentions`); `@tokens` typed by hand (or sent by a
client that only sends text) are resolved here too: an existing file, then a folder, then
a symbol defined under that name. Attached text is read through the bridge, so the model
sees unsaved buffers.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from tether.errors import PathOutsideWorkspaceError
from tether.protocol.methods import Mention, MentionItem, Position, Range
from tether.protocol.models import CONTEXT_META, FilePart, Part, TextPart
from tether.tools.base import IndexQuery
from tether.workspace.bridge import EditorBridge
from tether.workspace.diffs import split_lines
from tether.workspace.folder import WorkspaceFolder, path_to_uri, uri_to_path

if TYPE_CHECKING:
    from tether.index.hits import SymbolHit

log = logging.getLogger(__name__)

TOKEN = re.compile(r"(?<![\w@`])@([\w./\-]*[\w/])")
MAX_MENTION_CHARS = 100_000
MAX_FOLDER_ENTRIES = 300


async def complete(prefix: str, folder: WorkspaceFolder, index: IndexQuery | None, limit: int = 20
                   ) -> list[MentionItem]:
    """Items for what follows `@`: files, then folders, then symbols."""
    prefix = prefix.strip().lstrip("@")
    paths = await _match_paths(index, prefix)
    files = sorted(paths, key=lambda p: _rank(p, prefix))
    items = [_file_item(folder, p) for p in files[: max(limit // 2, 1)]]
    folders = _folders(paths, prefix)
    items += [_folder_item(folder, d) for d in folders[: max(limit // 4, 1)]]
    if prefix and re.fullmatch(r"[\w.:#]+", prefix) and index is not None:
        for hit in await index.find_symbol(prefix, limit):
            items.append(_symbol_item(folder, hit))
    return items[:limit]


async def resolve_text(text: str, folder: WorkspaceFolder, index: IndexQuery | None,
                       known: Iterable[Mention] = ()) -> list[Mention]:
    """Mentions typed as `@token` in `text` that `known` does not already cover."""
    names = {m.name.lstrip("@") for m in known}
    found: list[Mention] = []
    for token in dict.fromkeys(TOKEN.findall(text)):
        if token in names:
            continue
        mention = await _resolve_token(token, folder, index)
        if mention is not None:
            found.append(mention)
    return found


async def mention_parts(mentions: Iterable[Mention], folder: WorkspaceFolder,
                        bridge: EditorBridge, index: IndexQuery | None,
                        seen: set[str]) -> list[Part]:
    """The parts to attach for `mentions`; `seen` (file URIs already attached) grows."""
    parts: list[Part] = []
    for mention in mentions:
        path = path_in(folder, mention.uri, "mention")
        if path is None:
            continue
        line = mention.range.start.line if mention.range and mention.kind == "symbol" else ""
        key = f"{mention.kind}:{path}:{line}"
        if key in seen or (mention.kind == "symbol" and f"file:{path}:" in seen):
            continue
        seen.add(key)
        part = await _part(mention, path, folder, bridge, index)
        if part is not None:
            parts.append(part)
    return parts


async def _part(mention: Mention, path: Path, folder: WorkspaceFolder, bridge: EditorBridge,
                index: IndexQuery | None) -> Part | None:
    uri = path_to_uri(path)
    if mention.kind == "folder":
        return TextPart(text=await _folder_listing(path, folder, index),
                        meta={CONTEXT_META: "folder"})
    snapshot = await bridge.read_document(path)
    if not snapshot.exists:
        return None
    if mention.kind == "file":
        return FilePart(uri=uri, text=snapshot.text[:MAX_MENTION_CHARS])
    rng = mention.range
    if rng is None:
        return FilePart(uri=uri, text=snapshot.text[:MAX_MENTION_CHARS])
    lines = split_lines(snapshot.text, keepends=True)
    last = min(max(rng.end.line, rng.start.line), len(lines) - 1)
    text = "".join(lines[rng.start.line: last + 1])[:MAX_MENTION_CHARS]
    return FilePart(uri=uri, text=text, range_start_line=rng.start.line, range_end_line=last)


async def _folder_listing(path: Path, folder: WorkspaceFolder, index: IndexQuery | None) -> str:
    rel = folder.relative(path).strip("/")
    entries: list[str] = []
    if index is not None:
        prefix = f"{rel}/" if rel and rel != "." else ""
        entries = [p for p in await index.match_paths(prefix, MAX_FOLDER_ENTRIES * 4)
                   if p.startswith(prefix)][:MAX_FOLDER_ENTRIES]
    if not entries:
        try:
            names = sorted(os.listdir(path))
        except OSError:
            names = []
        entries = [f"{rel}/{n}" if rel not in ("", ".") else n
                   for n in names if not n.startswith(".")][:MAX_FOLDER_ENTRIES]
    shown = rel if rel not in ("", ".") else "."
    return f'<folder path="{shown}/">\n' + "\n".join(entries) + "\n</folder>"


async def _resolve_token(token: str, folder: WorkspaceFolder,
                         index: IndexQuery | None) -> Mention | None:
    candidate = folder.root / token.rstrip("/")
    try:
        path = folder.resolve(candidate)
    except (PathOutsideWorkspaceError, ValueError):
        path = None
    if path is not None and path.is_file():
        return Mention(kind="file", uri=path_to_uri(path), name=f"@{token}")
    if path is not None and path.is_dir():
        return Mention(kind="folder", uri=path_to_uri(path), name=f"@{token}")
    if index is None:
        return None
    for hit in await index.find_symbol(token, 5):
        if hit.symbol == token.split(".")[-1]:
            item = _symbol_item(folder, hit)
            return item.mention.model_copy(update={"name": f"@{token}"})
    return None


async def _match_paths(index: IndexQuery | None, fragment: str) -> list[str]:
    if index is None:
        return []
    return await index.match_paths(fragment, 200)


def _rank(path: str, prefix: str) -> tuple[int, int, str]:
    low, want = path.lower(), prefix.lower()
    base = low.rsplit("/", 1)[-1]
    tier = 0 if base.startswith(want) else 1 if low.startswith(want) else 2
    return tier, len(path), path


def _folders(paths: list[str], prefix: str) -> list[str]:
    want = prefix.lower().rstrip("/")
    found: dict[str, None] = {}
    for path in paths:
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            folder = "/".join(parts[:i])
            if want in folder.lower():
                found.setdefault(folder)
    return sorted(found, key=lambda d: _rank(d, prefix))


def _file_item(folder: WorkspaceFolder, rel: str) -> MentionItem:
    uri = path_to_uri(folder.root / rel)
    return MentionItem(label=rel.rsplit("/", 1)[-1], detail=f"file · {rel}", insert=rel,
                       mention=Mention(kind="file", uri=uri, name=f"@{rel}"))


def _folder_item(folder: WorkspaceFolder, rel: str) -> MentionItem:
    uri = path_to_uri(folder.root / rel)
    return MentionItem(label=f"{rel}/", detail="folder", insert=f"{rel}/",
                       mention=Mention(kind="folder", uri=uri, name=f"@{rel}/"))


def _symbol_item(folder: WorkspaceFolder, hit: SymbolHit) -> MentionItem:
    name, rel, line = hit.symbol, hit.path, hit.line
    rng = Range(start=Position(line=line, character=0),
                end=Position(line=hit.end_line, character=0))
    return MentionItem(label=name, detail=f"{hit.kind} · {rel}:{line + 1}", insert=name,
                       mention=Mention(kind="symbol", uri=path_to_uri(folder.root / rel),
                                       name=f"@{name}", range=rng))


def path_in(folder: WorkspaceFolder, uri: str, what: str) -> Path | None:
    """The canonical path of `uri` inside `folder`; None (logged: `what` not attached) for
    a path outside it or a URI that names no file."""
    try:
        return folder.resolve(uri_to_path(uri))
    except (PathOutsideWorkspaceError, ValueError) as exc:
        log.info("%s %s not attached: %s", what, uri, exc)
        return None
