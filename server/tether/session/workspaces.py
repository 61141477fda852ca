"""The open workspace folders of one client, and finding the folder of a session or a path.

A session belongs to exactly one folder, so each folder gets its own `SessionManager`
(its own history on disk), its own editor bridge (which refuses files outside it), its
own index and its own background work. The language server (one editor window) and the
ACP agent (one connection) each keep one `Workspaces`; they differ only in how a folder's
pieces are made, which is the factory they pass in.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tether.errors import FolderNotInWorkspaceError, SessionNotFoundError
from tether.session.manager import SessionManager
from tether.supervisor import TaskSupervisor
from tether.workspace.folder import WorkspaceFolder, canonical, uri_to_path

if TYPE_CHECKING:
    from tether.index import WorkspaceIndex

log = logging.getLogger(__name__)


def open_index(folder: WorkspaceFolder) -> WorkspaceIndex | None:
    """The folder's WorkspaceIndex, or None when the index package cannot be loaded."""
    try:
        from tether.index import WorkspaceIndex
    except ImportError as exc:  # sessions still work, only without index tools/context
        log.warning("workspace index unavailable: %s", exc)
        return None
    return WorkspaceIndex(folder)


def preload() -> None:
    """Import what the first folder needs now, so the editor does not wait on it later."""
    with suppress(ImportError):
        from tether.index import WorkspaceIndex  # noqa: F401


def _nothing() -> None:
    return None


@dataclass
class Workspace:
    """One open folder: its session manager, its index, its background work."""

    folder: WorkspaceFolder
    manager: SessionManager
    index: WorkspaceIndex | None = None
    unsubscribe: Callable[[], None] = _nothing  # the client's event listener, if any
    tasks: TaskSupervisor = field(init=False)

    def __post_init__(self) -> None:
        self.tasks = TaskSupervisor(self.folder.name)

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        """Background work of this folder (index builds, updates), cancelled when it closes."""
        return self.tasks.spawn(coro, name)

    async def aclose(self, *, grace: float = 0.0) -> None:
        """Cancel the turns (background titles get `grace` seconds), then the rest."""
        await self.manager.aclose(grace=grace)
        self.unsubscribe()
        await self.tasks.aclose()
        if self.index is not None:
            with suppress(Exception):
                await self.index.aclose()


WorkspaceFactory = Callable[[WorkspaceFolder], Workspace]


class Workspaces:
    """The open folders, by canonical root; a session belongs to exactly one of them."""

    def __init__(self, make: WorkspaceFactory) -> None:
        self._make = make
        self._open: dict[Path, Workspace] = {}
        self._closing = TaskSupervisor("workspaces")  # folders detached, still closing

    def add(self, folder: WorkspaceFolder) -> Workspace:
        """The folder's workspace, made on first use (adding a folder twice is harmless)."""
        found = self._open.get(folder.root)
        if found is None:
            found = self._open[folder.root] = self._make(folder)
        return found

    def detach(self, folder: WorkspaceFolder) -> asyncio.Task[None] | None:
        """Forget `folder` now (requests stop finding it) and close it in the background;
        the closing task, which `aclose` waits for too."""
        gone = self._open.pop(folder.root, None)
        if gone is None:
            return None
        return self._closing.spawn(gone.aclose(), f"closing {folder.name}")

    async def remove(self, folder: WorkspaceFolder) -> None:
        closing = self.detach(folder)
        if closing is not None:
            await closing

    def __iter__(self) -> Iterator[Workspace]:
        return iter(list(self._open.values()))

    @property
    def managers(self) -> list[SessionManager]:
        return [w.manager for w in self._open.values()]

    def for_folder_uri(self, folder_uri_or_path: str | Path) -> Workspace:
        """The folder given as file URI or path; FolderNotInWorkspaceError if not open."""
        raw = folder_uri_or_path
        try:
            path = uri_to_path(raw) if isinstance(raw, str) and "://" in raw else Path(raw)
        except ValueError as exc:
            raise FolderNotInWorkspaceError(str(exc)) from exc
        found = self._open.get(canonical(path))
        if found is None:
            raise FolderNotInWorkspaceError(
                f"{folder_uri_or_path} is not one of the open workspace folders",
                data={"folder": str(folder_uri_or_path)},
            )
        return found

    def for_session(self, session_id: str) -> Workspace:
        """The folder holding the session; SessionNotFoundError when no open folder has it."""
        for workspace in self._open.values():
            if workspace.manager.has_session(session_id):
                return workspace
        raise SessionNotFoundError(f"no session {session_id} in any open workspace folder",
                                   data={"sessionId": session_id})

    def for_path(self, path: Path) -> Workspace | None:
        """The innermost open folder containing `path`, if any."""
        resolved = canonical(path)
        inside = [w for w in self._open.values() if w.folder.contains(resolved)]
        return max(inside, key=lambda w: len(w.folder.root.parts), default=None)

    async def aclose(self, *, grace: float = 0.0) -> None:
        """Close every folder at once; `grace` as in `Workspace.aclose`."""
        closing = list(self._open.values())
        self._open.clear()
        await asyncio.gather(*(w.aclose(grace=grace) for w in closing), *self._closing,
                             return_exceptions=True)
        await self._closing.aclose()
