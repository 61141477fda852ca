"""Workspace folders, path safety and the editor bridge: the bottom layer."""

from tether.workspace.bridge import (
    DocumentSnapshot,
    EditorBridge,
    EditOutcome,
    FileEdit,
    PermissionRequest,
)
from tether.workspace.folder import WorkspaceFolder, canonical, path_to_uri, uri_to_path

__all__ = [
    "DocumentSnapshot",
    "EditOutcome",
    "EditorBridge",
    "FileEdit",
    "PermissionRequest",
    "WorkspaceFolder",
    "canonical",
    "path_to_uri",
    "uri_to_path",
]
