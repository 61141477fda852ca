"""Session history on disk: append-only JSONL per session, one folder per workspace.

`open_store(folder)` is the entry point; the session layer only sees `SessionStore`.
"""

from __future__ import annotations

from pathlib import Path

from tether.store.base import DEFAULT_TAIL, LoadedSession, SessionStore
from tether.store.jsonl import JsonlStore
from tether.store.paths import data_root, workspace_dir
from tether.workspace.folder import WorkspaceFolder


def open_store(folder: WorkspaceFolder, data_dir: Path | None = None) -> SessionStore:
    """The history store of `folder` under `data_dir` (default: `data_root()`, read now).

    Nothing is created on disk until the first session is written.
    """
    root = data_dir if data_dir is not None else data_root()
    return JsonlStore(folder, workspace_dir(folder, root))


__all__ = [
    "DEFAULT_TAIL",
    "JsonlStore",
    "LoadedSession",
    "SessionStore",
    "data_root",
    "open_store",
    "workspace_dir",
]
