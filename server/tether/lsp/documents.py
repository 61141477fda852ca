"""Text sync into the overlay, and the workspace index kept fresh from the editor.

Handlers here are plain `def`s on purpose: pygls runs them inline, in message order, so
the overlay is always up to date before the next request is handled. Index updates go
through the server's `IndexFeeder` (`index_feeder.py`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from lsprotocol import types

from tether.lsp.index_feeder import IndexFeeder
from tether.lsp.server import TetherServer
from tether.workspace.folder import canonical, uri_to_path
from tether.workspace.overlay import OverlayError, TextChange

log = logging.getLogger(__name__)


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
    feeder = server.index_feeder
    overlay = server.overlay

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
