"""Deriving the per-step model context from the append-only history.

History is never rewritten: this module builds a *view* for one request, in a pure
function (`derive_view`). In order, until the request fits the budget:

1. the view starts after the latest compaction summary (which leads it as a user
   message), or at the current exchange under the `reset` policy;
2. it is repaired: interrupted messages get a marker, a tool result whose call is not in
   the view is left out (a tail load can start inside a tool exchange) and a call with
   no recorded result gets one, so the request is always valid for both wire formats;
3. large tool outputs the model has already acted on become a short stub naming the
   call (not under `full`);
4. if it still does not fit, the caller compacts (`fits=False`), or, with
   `allow_truncation`, the oldest units are left out. A unit is a user message, or an
   assistant message with its tool results: a call is never split from its result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from tether.protocol.models import (
    FilePart,
    ImagePart,
    Message,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolResultPart,
)
from tether.providers.base import ToolSpec

CHARS_PER_TOKEN = 4
MESSAGE_OVERHEAD_TOKENS = 4
IMAGE_TOKENS = 1000
STUB_MIN_TOKENS = 256  # outputs smaller than this are cheaper kept than stubbed
INTERRUPTED_MARKER = "[This reply was interrupted by the user; do not repeat the work it began.]"
MISSING_RESULT = "[No result was recorded for this call (the session stopped before it ended).]"
SUMMARY_HEADER = (
    "[Summary of the earlier conversation, written when the context filled up. The full "
    "messages stay in the session history.]"
)
TRUNCATED_NOTE = "[Earlier messages were left out to fit the context window.]"


def estimate_text_tokens(text: str) -> int:
    return (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN


def estimate_message_tokens(message: Message) -> int:
    total = MESSAGE_OVERHEAD_TOKENS
    for part in message.parts:
        if isinstance(part, TextPart | ThinkingPart):
            total += estimate_text_tokens(part.text)
        elif isinstance(part, ToolCallPart):
            total += estimate_text_tokens(part.name + json.dumps(part.arguments))
        elif isinstance(part, ToolResultPart):
            total += estimate_text_tokens(part.content)
        elif isinstance(part, FilePart):
            total += estimate_text_tokens(part.uri + (part.text or ""))
        elif isinstance(part, ImagePart):
            total += IMAGE_TOKENS
    return total


def estimate_tools_tokens(tools: list[ToolSpec]) -> int:
    return sum(
        estimate_text_tokens(t.name + t.description + json.dumps(t.parameters)) for t in tools
    )


class TokenCache:
    """Message estimates by message id: a message never changes once in history."""

    def __init__(self) -> None:
        self._sizes: dict[str, int] = {}

    def of(self, message: Message) -> int:
        size = self._sizes.get(message.id)
        if size is None:
            size = estimate_message_tokens(message)
            self._sizes[message.id] = size
        return size


@dataclass(frozen=True)
class SummaryRef:
    """The latest compaction: its text stands in for history up to `up_to_message_id`."""

    text: str
    up_to_message_id: str


@dataclass(frozen=True)
class ViewRequest:
    history: list[Message]
    fixed_tokens: int  # system context + tool specs, already estimated
    budget: int
    policy: str = "incremental"  # full | incremental | reset
    summary: SummaryRef | None = None
    turn_start_id: str | None = None  # first message of the current turn (for reset)
    ratio: float = 1.0  # reported / estimated tokens of the last request


@dataclass(frozen=True)
class DerivedContext:
    messages: list[Message]
    estimated_tokens: int
    budget_tokens: int
    dropped_messages: int = 0
    stubbed_outputs: int = 0
    summarized_messages: int = 0
    fits: bool = True
    states: dict[str, str] = field(default_factory=dict)  # message id → stubbed|dropped|...
    raw_tokens: int = 0  # the estimate before the calibration ratio


def split_exchanges(messages: list[Message]) -> list[list[Message]]:
    """Group messages into exchanges, each starting at a user message."""
    exchanges: list[list[Message]] = []
    for message in messages:
        if message.role == "user" or not exchanges:
            exchanges.append([message])
        else:
            exchanges[-1].append(message)
    return exchanges


def split_units(messages: list[Message]) -> list[list[Message]]:
    """Units that can be left out whole: a user message, or an assistant message with the
    tool results that follow it."""
    units: list[list[Message]] = []
    for message in messages:
        if message.role == "tool" and units:
            units[-1].append(message)
        else:
            units.append([message])
    return units


def mark_interrupted(message: Message) -> Message:
    """A copy of an interrupted assistant message carrying the marker text."""
    if not message.interrupted or message.role != "assistant":
        return message
    parts = [p for p in message.parts if not isinstance(p, ThinkingPart)]
    parts.append(TextPart(text=INTERRUPTED_MARKER))
    return message.model_copy(update={"parts": parts})


def repair(messages: list[Message]) -> list[Message]:
    """Markers on interrupted messages; every tool result answers a call in the view and
    every call in the view has a result, right after its assistant message."""
    out: list[Message] = []
    open_calls: dict[str, ToolCallPart] = {}
    last_call_message: Message | None = None

    def close_open() -> None:
        if open_calls and last_call_message is not None:
            parts: list[ToolResultPart] = [
                ToolResultPart(tool_call_id=cid, content=MISSING_RESULT, is_error=True)
                for cid in open_calls
            ]
            out.extend(
                Message(id=f"{last_call_message.id}-missing-{p.tool_call_id}", role="tool",
                        parts=[p], turn_id=last_call_message.turn_id)
                for p in parts
            )
        open_calls.clear()

    for message in messages:
        if message.role == "tool":
            results = [p for p in message.parts if isinstance(p, ToolResultPart)]
            if results and all(r.tool_call_id in open_calls for r in results):
                for r in results:
                    open_calls.pop(r.tool_call_id, None)
                out.append(message)
            elif any(r.tool_call_id in open_calls for r in results):
                kept = [p for p in message.parts
                        if not isinstance(p, ToolResultPart) or p.tool_call_id in open_calls]
                for r in results:
                    open_calls.pop(r.tool_call_id, None)
                out.append(message.model_copy(update={"parts": kept}))
            continue  # an orphan result: its call is not in the view
        close_open()
        message = mark_interrupted(message)
        calls = message.tool_calls if message.role == "assistant" else []
        if calls:
            open_calls.update((c.id, c) for c in calls)
            last_call_message = message
        out.append(message)
    close_open()
    return out


def stub_text(call: ToolCallPart | None, content: str) -> str:
    """What a large, already-used tool output becomes in the view."""
    if call is None:
        return (f"[A tool output of {len(content):,} characters was left out here to save "
                "context; the full output is in the session history.]")
    args = json.dumps(call.arguments, ensure_ascii=False)
    if len(args) > 300:
        args = args[:297] + "..."
    return (f"[Output of {call.name}({args}) left out to save context: {len(content):,} "
            f"characters, already acted on. Call {call.name} again with the same arguments "
            "to see it again.]")


def summary_message(summary: SummaryRef) -> Message:
    return Message(id=f"summary-{summary.up_to_message_id}", role="user",
                   parts=[TextPart(text=f"{SUMMARY_HEADER}\n\n{summary.text}")])


def _base(req: ViewRequest) -> tuple[list[Message], int]:
    """The history the view starts from, and how many messages a summary replaces."""
    history = req.history
    start = 0
    if req.summary is not None:
        for i in range(len(history) - 1, -1, -1):
            if history[i].id == req.summary.up_to_message_id:
                start = i + 1
                break
    if req.policy == "reset" and req.turn_start_id is not None:
        for i in range(len(history) - 1, start - 1, -1):
            if history[i].id == req.turn_start_id:
                start = i
                break
    return history[start:], start


def derive_view(req: ViewRequest, cache: TokenCache, *,
                allow_truncation: bool = True) -> DerivedContext:
    """The messages of one request, fitted to `req.budget` as far as the policy allows."""
    base, summarized = _base(req)
    view = repair(base)
    lead: list[Message] = [summary_message(req.summary)] if req.summary is not None else []
    sizes = [cache.of(m) for m in view]
    lead_size = sum(estimate_message_tokens(m) for m in lead)
    raw_budget = int(req.budget / req.ratio) if req.ratio > 0 else req.budget
    total = req.fixed_tokens + lead_size + sum(sizes)
    states: dict[str, str] = {}
    stubbed = 0
    if total > raw_budget and req.policy != "full":
        total, stubbed = _stub_outputs(view, sizes, total, raw_budget, states)
    if total > raw_budget and not allow_truncation and req.policy != "full":
        return DerivedContext(
            messages=lead + view, estimated_tokens=int(total * req.ratio),
            budget_tokens=req.budget, stubbed_outputs=stubbed,
            summarized_messages=summarized, fits=False, states=states, raw_tokens=total,
        )
    dropped = 0
    if total > raw_budget:
        view, total, dropped = _truncate(view, sizes, total, raw_budget, states)
        if dropped and not lead and view and view[0].role != "user":
            lead = [Message(id="truncated-note", role="user",
                            parts=[TextPart(text=TRUNCATED_NOTE)])]
            total += estimate_message_tokens(lead[0])
    return DerivedContext(
        messages=lead + view, estimated_tokens=int(total * req.ratio + 0.5),
        budget_tokens=req.budget, dropped_messages=dropped, stubbed_outputs=stubbed,
        summarized_messages=summarized, fits=total <= raw_budget, states=states,
        raw_tokens=total,
    )


def _stub_outputs(view: list[Message], sizes: list[int], total: int, budget: int,
                  states: dict[str, str]) -> tuple[int, int]:
    """Replace large outputs the model has acted on with stubs, oldest first, in place."""
    calls: dict[str, ToolCallPart] = {}
    last_assistant = max((i for i, m in enumerate(view) if m.role == "assistant"), default=-1)
    stubbed = 0
    for i, message in enumerate(view):
        if total <= budget or i >= last_assistant:
            break
        if message.role == "assistant":
            calls.update((c.id, c) for c in message.tool_calls)
            continue
        if message.role != "tool" or sizes[i] < STUB_MIN_TOKENS:
            continue
        parts = [
            p.model_copy(update={"content": stub_text(calls.get(p.tool_call_id), p.content)})
            if isinstance(p, ToolResultPart) else p
            for p in message.parts
        ]
        stub = message.model_copy(update={"parts": parts})
        new_size = estimate_message_tokens(stub)
        if new_size >= sizes[i]:
            continue
        view[i] = stub
        total -= sizes[i] - new_size
        sizes[i] = new_size
        states[message.id] = "stubbed"
        stubbed += 1
    return total, stubbed


def _truncate(view: list[Message], sizes: list[int], total: int, budget: int,
              states: dict[str, str]) -> tuple[list[Message], int, int]:
    """Leave out the oldest whole units until it fits; the newest unit always stays."""
    units = split_units(view)
    unit_sizes: list[int] = []
    i = 0
    for unit in units:
        unit_sizes.append(sum(sizes[i:i + len(unit)]))
        i += len(unit)
    first = 0
    dropped = 0
    while total > budget and first < len(units) - 1:
        total -= unit_sizes[first]
        dropped += len(units[first])
        for m in units[first]:
            states[m.id] = "dropped"
        first += 1
    if dropped and units[first][0].role != "user":
        # Prefer to start at a user message (a whole exchange) when one is left.
        nxt = next((j for j in range(first, len(units) - 1) if units[j][0].role == "user"), None)
        for j in range(first, nxt if nxt is not None else first):
            total -= unit_sizes[j]
            dropped += len(units[j])
            for m in units[j]:
                states[m.id] = "dropped"
        first = nxt if nxt is not None else first
    return [m for unit in units[first:] for m in unit], total, dropped


def compaction_cut(view_history: list[Message], cache: TokenCache, keep_tokens: int,
                   after_id: str | None = None) -> int | None:
    """Index (into `view_history`) of the last message a summary should cover: everything
    older than the newest units that fit `keep_tokens`. None when there is nothing to cut
    (the newest unit alone is all there is)."""
    start = 0
    if after_id is not None:
        for i in range(len(view_history) - 1, -1, -1):
            if view_history[i].id == after_id:
                start = i + 1
                break
    tail = view_history[start:]
    units = split_units(tail)
    if len(units) < 2:
        return None
    kept = 0
    keep_from = len(units)
    for u in range(len(units) - 1, 0, -1):
        size = sum(cache.of(m) for m in units[u])
        if kept + size > keep_tokens and keep_from < len(units):
            break
        kept += size
        keep_from = u
    covered = sum(len(unit) for unit in units[:keep_from])
    return start + covered - 1 if covered else None


def derive_context(
    history: list[Message],
    *,
    system: str,
    tools: list[ToolSpec],
    window_tokens: int,
    reserve_tokens: int,
) -> DerivedContext:
    """The plain derivation (policy `full`): everything if it fits, else the newest units."""
    budget = max(window_tokens - reserve_tokens, window_tokens // 4)
    fixed = estimate_text_tokens(system) + estimate_tools_tokens(tools)
    return derive_view(ViewRequest(history=history, fixed_tokens=fixed, budget=budget,
                                   policy="full"), TokenCache())
