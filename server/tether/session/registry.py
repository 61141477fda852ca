"""The session managers of every open workspace folder, and finding a session's folder."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from tether.errors import FolderNotInWorkspaceError, SessionNotFoundError
from tether.session.manager import SessionManager
from tether.workspace.folder import WorkspaceFolder, canonical, uri_to_path

ManagerFactory = Callable[[WorkspaceFolder], SessionManager]


class SessionRegistry:
    """One SessionManager per workspace folder; a session belongs to exactly one."""

    def __init__(self, make_manager: ManagerFactory) -> None:
        self._make_manager = make_manager
        self._managers: dict[Path, SessionManager] = {}

    @property
    def managers(self) -> list[SessionManager]:
        return list(self._managers.values())

    def add_folder(self, folder: WorkspaceFolder) -> SessionManager:
        manager = self._managers.get(folder.root)
        if manager is None:
            manager = self._managers[folder.root] = self._make_manager(folder)
        return manager

    async def remove_folder(self, folder: WorkspaceFolder) -> None:
        manager = self._managers.pop(folder.root, None)
        if manager is not None:
            await manager.aclose()

    def for_folder(self, folder_uri_or_path: str | Path) -> SessionManager:
        """The manager of a folder given as file URI or path; refused if not open."""
        raw = folder_uri_or_path
        try:
            path = uri_to_path(raw) if isinstance(raw, str) and "://" in raw else Path(raw)
        except ValueError as exc:
            raise FolderNotInWorkspaceError(str(exc)) from exc
        manager = self._managers.get(canonical(path))
        if manager is None:
            raise FolderNotInWorkspaceError(
                f"{folder_uri_or_path} is not one of the open workspace folders",
                data={"folder": str(folder_uri_or_path)},
            )
        return manager

    def for_path(self, path: Path) -> SessionManager | None:
        """The manager of the innermost folder containing `path`, if any."""
        resolved = canonical(path)
        best: SessionManager | None = None
        for root, manager in self._managers.items():
            if manager.folder.contains(resolved) and (
                best is None or len(root.parts) > len(best.folder.root.parts)
            ):
                best = manager
        return best

    def for_session(self, session_id: str) -> SessionManager:
        for manager in self._managers.values():
            if manager.has_session(session_id):
                return manager
        raise SessionNotFoundError(f"no session {session_id} in any open workspace folder",
                                   data={"sessionId": session_id})

    async def aclose(self) -> None:
        await asyncio.gather(*(m.aclose() for m in self._managers.values()),
                             return_exceptions=True)
