"""Per workspace folder: a session manager, an editor bridge and a workspace index.

A session belongs to exactly one folder, so each folder gets its own `SessionManager`
(its own history on disk), its own bridge (which refuses files outside the folder) and
its own index. Folders come and go with `workspace/didChangeWorkspaceFolders`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tether.errors import FolderNotInWorkspaceError, SessionNotFoundError
from tether.lsp.bridge import EditorClient, LspEditorBridge
from tether.protocol.events import SessionEvent
from tether.session import SessionManager, SessionRegistry
from tether.settings import Settings
from tether.store import open_store
from tether.store.base import SessionStore
from tether.workspace.folder import WorkspaceFolder, canonical
from tether.workspace.overlay import DocumentOverlay

if TYPE_CHECKING:
    from tether.index import WorkspaceIndex

log = logging.getLogger(__name__)


MIRROR_INTERVAL = 0.25  # seconds between looks at other processes' appends (live mirror)


def _default_store(folder: WorkspaceFolder) -> SessionStore:
    return open_store(folder)


def _default_index(folder: WorkspaceFolder) -> WorkspaceIndex | None:
    """The folder's WorkspaceIndex, or None when the index package cannot be loaded."""
    try:
        from tether.index import WorkspaceIndex
    except ImportError as exc:  # the server still works, only without index tools/context
        log.warning("workspace index unavailable: %s", exc)
        return None
    return WorkspaceIndex(folder)


def preload() -> None:
    """Import what the first `initialize` needs now, so the editor does not wait on it."""
    with suppress(ImportError):
        from tether.index import WorkspaceIndex  # noqa: F401


@dataclass
class FolderRuntime:
    folder: WorkspaceFolder
    bridge: LspEditorBridge
    manager: SessionManager
    index: WorkspaceIndex | None
    unsubscribe: Callable[[], None]
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    def spawn(self, coro: Any, name: str) -> asyncio.Task[Any]:
        """A background task owned by this folder, cancelled when the folder goes."""
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        task.set_name(f"{name} {self.folder.name}")
        self.tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s failed", task.get_name(), exc_info=task.exception())


class FolderSet:
    """The open workspace folders and everything that hangs off each of them."""

    def __init__(
        self,
        *,
        client: EditorClient,
        overlay: DocumentOverlay,
        settings_for: Callable[[WorkspaceFolder], Settings],
        on_event: Callable[[SessionEvent], None],
        on_edited: Callable[[FolderRuntime, Path, str], None] | None = None,
        store_factory: Callable[[WorkspaceFolder], SessionStore] = _default_store,
        index_factory: Callable[[WorkspaceFolder], WorkspaceIndex | None] = _default_index,
    ) -> None:
        self.client = client
        self.overlay = overlay
        self._settings_for = settings_for
        self._on_event = on_event
        self._on_edited = on_edited
        self._store_factory = store_factory
        self._index_factory = index_factory
        self.runtimes: dict[Path, FolderRuntime] = {}
        self.registry = SessionRegistry(self._make_manager)

    def _make_manager(self, folder: WorkspaceFolder) -> SessionManager:
        holder: list[FolderRuntime] = []

        def edited(path: Path, text: str) -> None:
            if holder and self._on_edited is not None:
                self._on_edited(holder[0], path, text)

        bridge = LspEditorBridge(folder, self.overlay, self.client, on_edited=edited)
        index = self._index_factory(folder)
        manager = SessionManager(
            folder,
            store=self._store_factory(folder),
            settings=self._settings_for(folder),
            bridge=bridge,
            index=index,
            mirror_interval=MIRROR_INTERVAL,
        )
        runtime = FolderRuntime(folder, bridge, manager, index, manager.subscribe(self._on_event))
        holder.append(runtime)
        self.runtimes[folder.root] = runtime
        return manager

    def add(self, folder: WorkspaceFolder) -> FolderRuntime:
        self.registry.add_folder(folder)
        return self.runtimes[folder.root]

    def detach(self, folder: WorkspaceFolder) -> Coroutine[Any, Any, None] | None:
        """Forget `folder` now (requests stop finding it); returns the closing to await."""
        runtime = self.runtimes.pop(folder.root, None)
        if runtime is None:
            return None

        async def close() -> None:
            await self.registry.remove_folder(folder)
            await self._close_runtime(runtime)

        return close()

    async def remove(self, folder: WorkspaceFolder) -> None:
        closing = self.detach(folder)
        if closing is not None:
            await closing

    def __iter__(self) -> Any:
        return iter(list(self.runtimes.values()))

    def for_folder_uri(self, folder_uri: str) -> FolderRuntime:
        """Raises FolderNotInWorkspaceError for a folder the editor did not open."""
        manager = self.registry.for_folder(folder_uri)
        runtime = self.runtimes.get(manager.folder.root)
        if runtime is None:  # detached, still closing
            raise FolderNotInWorkspaceError(
                f"{folder_uri} is not one of the open workspace folders",
                data={"folder": folder_uri},
            )
        return runtime

    def for_session(self, session_id: str) -> FolderRuntime:
        """Raises SessionNotFoundError when no open folder has the session."""
        for runtime in self.runtimes.values():
            if runtime.manager.has_session(session_id):
                return runtime
        raise SessionNotFoundError(f"no session {session_id} in any open workspace folder",
                                   data={"sessionId": session_id})

    def for_path(self, path: Path) -> FolderRuntime | None:
        manager = self.registry.for_path(canonical(path))
        return self.runtimes.get(manager.folder.root) if manager is not None else None

    async def aclose(self) -> None:
        runtimes = list(self.runtimes.values())
        self.runtimes.clear()
        await self.registry.aclose()
        for runtime in runtimes:
            await self._close_runtime(runtime)

    async def _close_runtime(self, runtime: FolderRuntime) -> None:
        runtime.unsubscribe()
        for task in list(runtime.tasks):
            task.cancel()
        if runtime.tasks:
            await asyncio.gather(*runtime.tasks, return_exceptions=True)
        if runtime.index is not None:
            with suppress(Exception):
                await runtime.index.aclose()
