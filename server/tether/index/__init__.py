"""The workspace index: files, symbols, lexical search and a ranked repo map, per folder.

Built in the background, kept fresh incrementally, persisted in the data dir; queries
answer from whatever is ready and never block a turn.

The public names load lazily: parse workers import `tether.index.scan` and should not pay
for the protocol models and the CLI on every start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tether.index.cli import add_index_commands
    from tether.index.progress import IndexProgress, IndexStats
    from tether.index.workspace_index import WorkspaceIndex

__all__ = ["IndexProgress", "IndexStats", "WorkspaceIndex", "add_index_commands"]

_EXPORTS = {
    "tether.index.progress": ("IndexProgress", "IndexStats"),
    "tether.index.workspace_index": ("WorkspaceIndex",),
    "tether.index.cli": ("add_index_commands",),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'tether.index' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
