"""Opening a workspace folder for the language server: its LSP bridge, manager and index.

The collection itself (finding a session's or a path's folder, closing them) is
`session/workspaces.py`, shared with ACP; what is the editor's here is the bridge, which
speaks LSP to the window, and the live mirror of other windows' appends.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tether.lsp.bridge import EditorClient, LspEditorBridge
from tether.protocol.events import SessionEvent
from tether.session import SessionManager
from tether.session.workspaces import Workspace
from tether.settings import Settings
from tether.store.base import SessionStore
from tether.workspace.folder import WorkspaceFolder
from tether.workspace.overlay import DocumentOverlay

if TYPE_CHECKING:
    from tether.index import WorkspaceIndex

MIRROR_INTERVAL = 0.25  # seconds between looks at other processes' appends (live mirror)
StoreFactory = Callable[[WorkspaceFolder], SessionStore]
IndexFactory = Callable[[WorkspaceFolder], "WorkspaceIndex | None"]


def open_lsp_folder(
    folder: WorkspaceFolder,
    *,
    client: EditorClient,
    overlay: DocumentOverlay,
    settings: Settings,
    on_event: Callable[[SessionEvent], None],
    on_edited: Callable[[Path, str], None],
    store_factory: StoreFactory,
    index_factory: IndexFactory,
) -> Workspace:
    """The folder's pieces; its events go to `on_event`, each agent edit that landed to
    `on_edited` (the index feeder), straight from the bridge."""
    bridge = LspEditorBridge(folder, overlay, client, on_edited=on_edited)
    index = index_factory(folder)
    manager = SessionManager(folder, store=store_factory(folder), settings=settings,
                             bridge=bridge, index=index, mirror_interval=MIRROR_INTERVAL)
    return Workspace(folder, manager, index, manager.subscribe(on_event))
