"""The session engine: sessions, turns, events, the agent loop, context derivation.

Never imports pygls: what it needs from the editor comes through `EditorBridge`.
"""

from tether.session.manager import SessionManager
from tether.session.workspaces import Workspace, Workspaces

__all__ = ["SessionManager", "Workspace", "Workspaces"]
