"""The workspace index kept fresh from the editor: buffers as typed, files as saved or edited.

Typing is debounced per file; saves, closes, file-watcher changes and the agent's own
edits (reported by the folder's bridge when they land) go to the index at once. Each
update runs as background work of the file's folder.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tether.session.workspaces import Workspace, Workspaces
from tether.workspace.overlay import DocumentOverlay

INDEX_DEBOUNCE = 0.3  # seconds of quiet typing before a buffer is re-indexed


class IndexFeeder:
    """Debounced `update_text` / `refresh_paths` calls into each folder's index."""

    def __init__(self, folders: Workspaces, overlay: DocumentOverlay,
                 debounce: float = INDEX_DEBOUNCE) -> None:
        self.folders = folders
        self.overlay = overlay
        self.debounce = debounce
        self._timers: dict[Path, asyncio.TimerHandle] = {}

    def agent_edited(self, path: Path, text: str) -> None:
        """An agent edit landed (buffer or disk): the index takes its text now."""
        self.text_changed(path, text, now=True)

    def text_changed(self, path: Path, text: str | None = None, *, now: bool = False) -> None:
        workspace = self.folders.for_path(path)
        if workspace is None or workspace.index is None:
            return
        if (timer := self._timers.pop(path, None)) is not None:
            timer.cancel()
        if now:
            self._update(workspace, path, text)
            return
        loop = asyncio.get_running_loop()
        self._timers[path] = loop.call_later(self.debounce, self._update, workspace, path, None)

    def _update(self, workspace: Workspace, path: Path, text: str | None) -> None:
        self._timers.pop(path, None)
        index = workspace.index
        if index is None:
            return
        if text is None:
            doc = self.overlay.get_path(path)
            if doc is None:
                return
            text = doc.text
        workspace.spawn(index.update_text(path, text), "index update")

    def paths_changed(self, paths: list[Path]) -> None:
        by_folder: dict[Path, tuple[Workspace, list[Path]]] = {}
        for path in paths:
            workspace = self.folders.for_path(path)
            if workspace is not None and workspace.index is not None:
                by_folder.setdefault(workspace.folder.root, (workspace, []))[1].append(path)
        for workspace, folder_paths in by_folder.values():
            if workspace.index is not None:
                workspace.spawn(workspace.index.refresh_paths(folder_paths), "index refresh")
