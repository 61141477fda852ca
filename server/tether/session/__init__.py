"""The session engine: sessions, turns, events, the agent loop, context derivation.

Never imports pygls: what it needs from the editor comes through `EditorBridge`.
"""

from tether.session.manager import SessionManager
from tether.session.registry import SessionRegistry

__all__ = ["SessionManager", "SessionRegistry"]
