"""The wire protocol, defined once as pydantic models.

`protocol-spec.md`, the JSON Schema, the VS Code client's TypeScript types and the
Neovim LuaLS stubs are generated from these modules (`python -m tether.protocol.generate`).
"""

from tether.protocol.base import WireModel
from tether.protocol.error_codes import ErrorCode
from tether.protocol.events import EventBase, SessionEvent, parse_event
from tether.protocol.models import Message, SessionInfo, SessionSummary, Usage

__all__ = [
    "ErrorCode",
    "EventBase",
    "Message",
    "SessionEvent",
    "SessionInfo",
    "SessionSummary",
    "Usage",
    "WireModel",
    "parse_event",
]
