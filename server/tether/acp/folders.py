"""Opening a workspace folder for an ACP connection: its bridge, tools, manager and index.

What `lsp/folders.py` does for editor windows, for ACP's `cwd`s: each folder an ACP
session names gets the same engine pieces as in the language server: its own history
store, a bridge to the client, the workspace index (built in the background, as the
LSP does) and the tools, with `run_command` moved to the client's terminal when the
client offers one. The collection of open folders is `session/workspaces.py`'s.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from acp.interfaces import Client
from acp.schema import ClientCapabilities

from tether.acp.bridge import AcpEditorBridge
from tether.acp.terminal_tool import AttachTerminal, ClientTerminalRunCommand
from tether.acp.updates import UpdateSender
from tether.session import SessionManager
from tether.session.workspaces import Workspace, Workspaces, open_index
from tether.settings import Settings
from tether.store import open_store
from tether.tools.base import Tool
from tether.tools.registry import ToolRegistry, builtin_tools, default_tools
from tether.workspace.folder import WorkspaceFolder

if TYPE_CHECKING:
    from collections.abc import Callable

    from tether.index import WorkspaceIndex

    IndexFactory = Callable[[WorkspaceFolder], WorkspaceIndex | None]

log = logging.getLogger(__name__)

TITLE_GRACE = 15.0  # as `tether chat`: a client that quits after one turn keeps its title


class AcpFolders:
    """The folders one ACP connection has opened (by `cwd`), and their engine pieces."""

    def __init__(self, client: Client, caps: ClientCapabilities, settings: Settings,
                 sender: UpdateSender, attach_terminal: AttachTerminal,
                 index_factory: IndexFactory = open_index) -> None:
        self.client, self.caps, self.settings = client, caps, settings
        self.sender = sender
        self._attach_terminal = attach_terminal
        self._index_factory = index_factory
        self.workspaces = Workspaces(self._open_folder)

    def open(self, folder: WorkspaceFolder) -> SessionManager:
        return self.workspaces.add(folder).manager

    def for_session(self, session_id: str) -> SessionManager:
        """SessionNotFoundError when none of this connection's folders has the session."""
        return self.workspaces.for_session(session_id).manager

    @property
    def managers(self) -> list[SessionManager]:
        return self.workspaces.managers

    def _tools(self, with_index: bool) -> ToolRegistry:
        tools: list[Tool] = default_tools() if with_index else builtin_tools()
        if self.caps.terminal:
            tools = [t for t in tools if t.name != "run_command"]
            tools.append(ClientTerminalRunCommand(self.client, self._attach_terminal))
        return ToolRegistry(tools)

    def _open_folder(self, folder: WorkspaceFolder) -> Workspace:
        bridge = AcpEditorBridge(folder, self.client, self.caps, flush=self.sender.flush)
        index = self._index_factory(folder)
        manager = SessionManager(folder, store=open_store(folder), settings=self.settings,
                                 bridge=bridge, index=index, tools=self._tools(index is not None))
        workspace = Workspace(folder, manager, index, manager.subscribe(self.sender))
        if index is not None:
            workspace.spawn(_build(folder, index), "index build")
        return workspace

    async def aclose(self) -> None:
        """Cancel running turns; a title still being written gets TITLE_GRACE seconds."""
        await self.workspaces.aclose(grace=TITLE_GRACE)


async def _build(folder: WorkspaceFolder, index: WorkspaceIndex) -> None:
    try:
        stats = await index.build()
        log.info("indexed %s: %d files, %d symbols", folder.root, stats.files, stats.symbols)
    except Exception:  # the sessions work without it; search tools say it is missing
        log.warning("indexing %s failed", folder.root, exc_info=True)
