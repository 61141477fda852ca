"""What both wire formats need from our history: tool arguments, attached files, pairing.

Both APIs reject a history in which a tool call has no result (a turn cancelled between
the call and its result leaves exactly that), so `paired_history` answers such calls with
an "interrupted" result instead of letting the next request fail with a 400.
"""

from __future__ import annotations

import json
from typing import Any

from tether.protocol.models import FilePart, Message, ToolCallPart, ToolResultPart

INTERRUPTED_RESULT = (
    "The call was interrupted before it returned a result; it may or may not have run."
)


def parse_tool_arguments(raw: str) -> tuple[dict[str, Any], str | None]:
    """Parsed arguments and, when `raw` is not a JSON object, why (arguments are then {})."""
    if not raw.strip():
        return {}, None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        return {}, f"the arguments are not valid JSON ({exc.msg} at character {exc.pos})"
    if not isinstance(value, dict):
        return {}, f"the arguments must be a JSON object, not {type(value).__name__}"
    return value, None


def arguments_text(call: ToolCallPart) -> str:
    """What to send back for a past call: the raw text when it never parsed."""
    if not call.arguments and call.raw_arguments:
        return call.raw_arguments
    return json.dumps(call.arguments, ensure_ascii=False)


def file_text(part: FilePart) -> str:
    """An attached file as the model sees it: its URI, the line range, then the text."""
    where = part.uri
    if part.range_start_line is not None:
        end = part.range_end_line if part.range_end_line is not None else part.range_start_line
        where += f" (lines {part.range_start_line + 1}-{end + 1})"
    return f"<file {where}>\n{part.text or ''}\n</file>"


def paired_history(messages: list[Message]) -> list[Message]:
    """`messages` with a synthetic error result after every call that has none."""
    answered = {r.tool_call_id for m in messages for r in m.tool_results}
    out: list[Message] = []
    pending: list[ToolCallPart] = []

    def settle() -> None:
        missing = [c for c in pending if c.id not in answered]
        if missing:
            out.append(
                Message(
                    id=f"synthetic-{missing[0].id}",
                    role="tool",
                    parts=[
                        ToolResultPart(tool_call_id=c.id, content=INTERRUPTED_RESULT, is_error=True)
                        for c in missing
                    ],
                )
            )
            answered.update(c.id for c in missing)
        pending.clear()

    for message in messages:
        if message.role == "assistant":
            settle()
            out.append(message)
            pending.extend(message.tool_calls)
        elif message.tool_results:
            out.append(message)
        else:
            settle()
            out.append(message)
    settle()
    return out
