"""Assemble the server: the object, its lifecycle, text sync and the custom methods."""

from __future__ import annotations

from tether.lsp import change_handlers, handlers  # noqa: F401  (they fill the rpc table)
from tether.lsp.documents import register_document_sync
from tether.lsp.folders import IndexFactory, StoreFactory
from tether.lsp.lifecycle import register_lifecycle
from tether.lsp.rpc import register
from tether.lsp.server import TetherServer
from tether.session.workspaces import preload


def create_server(
    *,
    store_factory: StoreFactory | None = None,
    index_factory: IndexFactory | None = None,
    remote: bool = False,
) -> TetherServer:
    """One server per client: stdio has one; `remote.py` makes one per connection."""
    preload()
    server = TetherServer(store_factory=store_factory, index_factory=index_factory,
                          remote=remote)
    register_lifecycle(server)
    register_document_sync(server)
    register(server)
    return server
