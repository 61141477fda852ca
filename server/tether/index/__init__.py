"""The workspace index: files, symbols, lexical search and a ranked repo map, per folder.

Built in the background, kept fresh incrementally, persisted in the data dir; queries
answer from whatever is ready and never block a turn.
"""

from tether.index.cli import add_index_commands
from tether.index.workspace_index import IndexProgress, IndexStats, WorkspaceIndex

__all__ = ["IndexProgress", "IndexStats", "WorkspaceIndex", "add_index_commands"]
