"""`recall`: the full output of an earlier tool call that the view shows as a stub.

A session-level tool, answered from the session's own history rather than the tool
registry: stubbing an output (context.py) saves room without losing anything, because
the model can always ask for the original again, a page at a time.
"""

from __future__ import annotations

from tether.protocol.models import Message, ToolResultPart
from tether.providers.base import ToolSpec
from tether.tools.base import ToolOutcome
from tether.tools.registry import ToolRegistry

RECALL = "recall"
PAGE_CHARS = 40_000

RECALL_SPEC = ToolSpec(
    name=RECALL,
    description=(
        "Get back the full output of an earlier tool call that was left out of the "
        "context to save room (its placeholder names the call). Long outputs come a page "
        f"of {PAGE_CHARS:,} characters at a time; pass `offset` for the next page."
    ),
    parameters={
        "type": "object",
        "properties": {
            "tool_call_id": {"type": "string", "description": "The call whose output to get."},
            "offset": {"type": "integer", "minimum": 0,
                       "description": "Character offset to start at (default 0)."},
        },
        "required": ["tool_call_id"],
        "additionalProperties": False,
    },
)


def session_tool_specs(registry: ToolRegistry) -> list[ToolSpec]:
    """The registry's tools, plus `recall` unless the registry has a tool of that name."""
    specs = registry.specs()
    return specs if registry.get(RECALL) is not None else [*specs, RECALL_SPEC]


def recall(messages: list[Message], arguments: dict[str, object]) -> ToolOutcome:
    call_id = arguments.get("tool_call_id")
    offset = arguments.get("offset", 0)
    if not isinstance(call_id, str) or not call_id:
        return ToolOutcome("recall needs `tool_call_id`: the id in the placeholder.",
                           is_error=True)
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        return ToolOutcome("recall: `offset` must be a non-negative integer.", is_error=True)
    for message in reversed(messages):
        for part in message.parts:
            if isinstance(part, ToolResultPart) and part.tool_call_id == call_id:
                return _page(part.content, offset)
    return ToolOutcome(f"recall: no output of a call {call_id!r} in this session's loaded "
                       "history; run the tool again instead.", is_error=True)


def _page(content: str, offset: int) -> ToolOutcome:
    page = content[offset:offset + PAGE_CHARS]
    end = offset + len(page)
    if end < len(content):
        page += (f"\n[recall: characters {offset:,}-{end:,} of {len(content):,}; call recall "
                 f"with offset={end} for more]")
    return ToolOutcome(page)
