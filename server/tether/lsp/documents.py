"""Text sync into the overlay, and the workspace index kept fresh from the editor.

Handlers here are plain `def`s on purpose: pygls runs them inline, in message order, so
the overlay is always up to date before the next request is handled. Index updates are
debounced per file and run as background tasks of the folder.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from lsprotocol import types

from tether.lsp.folders import FolderRuntime
from tether.lsp.server import TetherServer
from tether.workspace.folder import canonical, uri_to_path
from tether.workspace.overlay import OverlayError, TextChange

log = logging.getLogger(__name__)

INDEX_DEBOUNCE = 0.3  # seconds of quiet typing before a buffer is re-indexed


class IndexFeeder:
    """Debounced `update_text` / `refresh_paths` calls into each folder's index."""

    def __init__(self, server: TetherServer, debounce: float = INDEX_DEBOUNCE) -> None:
        self.server = server
        self.debounce = debounce
        self._timers: dict[Path, asyncio.TimerHandle] = {}

    def text_changed(self, path: Path, text: str | None = None, *, now: bool = False) -> None:
        runtime = self.server.folders.for_path(path)
        if runtime is None or runtime.index is None:
            return
        if (timer := self._timers.pop(path, None)) is not None:
            timer.cancel()
        if now:
            self._update(runtime, path, text)
            return
        loop = asyncio.get_running_loop()
        self._timers[path] = loop.call_later(self.debounce, self._update, runtime, path, None)

    def _update(self, runtime: FolderRuntime, path: Path, text: str | None) -> None:
        self._timers.pop(path, None)
        index = runtime.index
        if index is None:
            return
        if text is None:
            doc = self.server.overlay.get_path(path)
            if doc is None:
                return
            text = doc.text
        runtime.spawn(index.update_text(path, text), "index update")

    def paths_changed(self, paths: list[Path]) -> None:
        by_folder: dict[Path, tuple[FolderRuntime, list[Path]]] = {}
        for path in paths:
            runtime = self.server.folders.for_path(path)
            if runtime is None:
                continue
            if runtime.index is not None:
                by_folder.setdefault(runtime.folder.root, (runtime, []))[1].append(path)
        for runtime, folder_paths in by_folder.values():
            if runtime.index is not None:
                runtime.spawn(runtime.index.refresh_paths(folder_paths), "index refresh")


def _path(uri: str) -> Path | None:
    if not uri.startswith("file:"):
        return None
    try:
        return canonical(uri_to_path(uri))
    except ValueError:
        return None


def _change(change: Any) -> TextChange:
    rng = getattr(change, "range", None)
    if rng is None:
        return TextChange(text=change.text)
    return TextChange(text=change.text, start=(rng.start.line, rng.start.character),
                      end=(rng.end.line, rng.end.character))


def register_document_sync(server: TetherServer) -> IndexFeeder:
    feeder = IndexFeeder(server)
    overlay = server.overlay

    def agent_edited(runtime: FolderRuntime, path: Path, text: str) -> None:
        feeder.text_changed(path, text, now=True)

    server.on_agent_edit = agent_edited

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        doc = params.text_document
        opened = overlay.open(doc.uri, doc.text, doc.version, doc.language_id)
        if opened.path is not None:
            feeder.text_changed(opened.path)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        ident = params.text_document
        try:
            doc = overlay.change(ident.uri, ident.version,
                                 [_change(c) for c in params.content_changes])
        except OverlayError as exc:
            server.log_to_client(f"Tether lost track of {ident.uri}: {exc}",
                                 types.MessageType.Error)
            return
        if doc.path is not None:
            feeder.text_changed(doc.path)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=True))
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        doc = overlay.save(params.text_document.uri, params.text)
        path = _path(params.text_document.uri)
        if path is None:
            return
        feeder.text_changed(path, doc.text if doc is not None else params.text, now=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        overlay.close(params.text_document.uri)
        path = _path(params.text_document.uri)
        if path is not None:
            feeder.paths_changed([path])  # the disk is what counts again

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(params: types.DidChangeWatchedFilesParams) -> None:
        paths = [p for c in params.changes if (p := _path(c.uri)) is not None]
        open_paths = {p for p in paths if overlay.get_path(p) is not None}
        feeder.paths_changed([p for p in paths if p not in open_paths])

    return feeder
