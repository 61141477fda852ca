"""Per workspace folder of an ACP connection: session manager, bridge, tools, index.

What the LSP's folder set does for editor windows, for ACP's `cwd`s: each folder an ACP
session names gets the same engine pieces as in the language server: its own history
store, a bridge to the client, the workspace index (built in the background, as the
LSP does) and the tools, with `run_command` moved to the client's terminal when the
client offers one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from acp.interfaces import Client
from acp.schema import ClientCapabilities

from tether.acp.bridge import AcpEditorBridge
from tether.acp.terminal_tool import AttachTerminal, ClientTerminalRunCommand
from tether.acp.updates import UpdateSender
from tether.session import SessionManager, SessionRegistry
from tether.settings import Settings
from tether.store import open_store
from tether.tools.base import Tool
from tether.tools.registry import ToolRegistry, builtin_tools, default_tools
from tether.workspace.folder import WorkspaceFolder

if TYPE_CHECKING:
    from tether.index import WorkspaceIndex

log = logging.getLogger(__name__)

TITLE_GRACE = 15.0  # as `tether chat`: a client that quits after one turn keeps its title
IndexFactory = Callable[[WorkspaceFolder], "WorkspaceIndex | None"]


def open_index(folder: WorkspaceFolder) -> WorkspaceIndex | None:
    """The folder's index, or None when the index package cannot be loaded."""
    try:
        from tether.index import WorkspaceIndex
    except ImportError as exc:
        log.warning("workspace index unavailable: %s", exc)
        return None
    return WorkspaceIndex(folder)


class AcpFolders:
    """The folders one ACP connection has opened (by `cwd`), and their engine pieces."""

    def __init__(self, client: Client, caps: ClientCapabilities, settings: Settings,
                 sender: UpdateSender, attach_terminal: AttachTerminal,
                 index_factory: IndexFactory = open_index) -> None:
        self.client, self.caps, self.settings = client, caps, settings
        self.sender = sender
        self._attach_terminal = attach_terminal
        self._index_factory = index_factory
        self.registry = SessionRegistry(self._make_manager)
        self._indexes: list[WorkspaceIndex] = []
        self._tasks: set[asyncio.Task[Any]] = set()

    def open(self, folder: WorkspaceFolder) -> SessionManager:
        return self.registry.add_folder(folder)

    def _tools(self, with_index: bool) -> ToolRegistry:
        tools: list[Tool] = default_tools() if with_index else builtin_tools()
        if self.caps.terminal:
            tools = [t for t in tools if t.name != "run_command"]
            tools.append(ClientTerminalRunCommand(self.client, self._attach_terminal))
        return ToolRegistry(tools)

    def _make_manager(self, folder: WorkspaceFolder) -> SessionManager:
        bridge = AcpEditorBridge(folder, self.client, self.caps, flush=self.sender.flush)
        index = self._index_factory(folder)
        if index is not None:
            self._indexes.append(index)
            self._spawn(self._build(folder, index))
        manager = SessionManager(folder, store=open_store(folder), settings=self.settings,
                                 bridge=bridge, index=index, tools=self._tools(index is not None))
        manager.subscribe(self.sender)
        return manager

    async def _build(self, folder: WorkspaceFolder, index: WorkspaceIndex) -> None:
        try:
            stats = await index.build()
            log.info("indexed %s: %d files, %d symbols", folder.root, stats.files, stats.symbols)
        except Exception:  # the sessions work without it; search tools say it is missing
            log.warning("indexing %s failed", folder.root, exc_info=True)

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def aclose(self) -> None:
        """Cancel running turns; a title still being written gets TITLE_GRACE seconds."""
        await asyncio.gather(*(m.aclose(grace=TITLE_GRACE) for m in self.registry.managers),
                             return_exceptions=True)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for index in self._indexes:
            with suppress(Exception):
                await index.aclose()
