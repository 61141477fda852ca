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
from typing import Literal

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


@dataclass(slots=True)
class Entry:
    """What derivation needs of one history message, computed once per message."""

    size: int
    role: str
    interrupted: bool
    calls: tuple[str, ...]  # tool call ids (assistant)
    results: tuple[str, ...]  # tool call ids answered (tool)
    stub_size: int = -1  # tokens of its stub, once planned (-1: not yet)


def entry_of(message: Message) -> Entry:
    calls: list[str] = []
    results: list[str] = []
    for part in message.parts:
        if isinstance(part, ToolCallPart):
            calls.append(part.id)
        elif isinstance(part, ToolResultPart):
            results.append(part.tool_call_id)
    return Entry(estimate_message_tokens(message), message.role, message.interrupted,
                 tuple(calls), tuple(results))


class TokenCache:
    """Per-message facts, stubs and the entries of the history seen last: history is
    append-only, so a later step of a turn pays only for the messages added since."""

    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}
        self._stub_sizes: dict[str, int] = {}
        self._stub_calls: dict[str, ToolCallPart | None] = {}
        self._stubs: dict[str, Message] = {}
        self._seen: list[Entry] = []
        self._seen_ids: tuple[str, str, int] = ("", "", 0)  # first id, last id, length

    def of(self, message: Message) -> int:
        return self.entry(message).size

    def entry(self, message: Message) -> Entry:
        entry = self._entries.get(message.id)
        if entry is None:
            entry = entry_of(message)
            self._entries[message.id] = entry
        return entry

    def entries(self, history: list[Message]) -> list[Entry]:
        """Entries of `history`, reusing those of the last call when it is a prefix."""
        first, last, length = self._seen_ids
        if not (length and len(history) >= length and history[0].id == first
                and history[length - 1].id == last):
            length = 0
            self._seen = []
        if length < len(history):
            self._seen.extend(self.entry(m) for m in history[length:])
        if history:
            self._seen_ids = (history[0].id, history[-1].id, len(history))
        return self._seen

    def prepare(self, history: list[Message]) -> None:
        """Entries and stub sizes of every message, ahead of the first derivation (the
        session manager runs this in a thread when it loads a long session)."""
        entries = self.entries(history)
        calls: dict[str, ToolCallPart] = {}
        for message, entry in zip(history, entries, strict=True):
            if entry.role == "assistant":
                calls.update((c.id, c) for c in message.tool_calls)
            elif entry.role == "tool" and entry.size >= STUB_MIN_TOKENS and entry.stub_size < 0:
                call = calls.get(entry.results[0]) if entry.results else None
                entry.stub_size = self.stub_size(message, call)

    def stub_size(self, message: Message, call: ToolCallPart | None) -> int:
        size = self._stub_sizes.get(message.id)
        if size is None:
            size = MESSAGE_OVERHEAD_TOKENS + sum(
                estimate_text_tokens(stub_text(call, p.content))
                for p in message.parts if isinstance(p, ToolResultPart))
            self._stub_sizes[message.id] = size
            self._stub_calls[message.id] = call
        return size

    def stub(self, message: Message) -> Message:
        """The stub of a message whose stub size was planned (`stub_size`)."""
        stub = self._stubs.get(message.id)
        if stub is None:
            call = self._stub_calls.get(message.id)
            parts = [
                ToolResultPart.model_construct(
                    type="tool_result", tool_call_id=p.tool_call_id,
                    content=stub_text(call, p.content), is_error=p.is_error)
                if isinstance(p, ToolResultPart) else p
                for p in message.parts
            ]
            stub = message.model_copy(update={"parts": parts})
            self._stubs[message.id] = stub
        return stub


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
    states: dict[str, Literal["stubbed"]] = field(default_factory=dict)  # by message id
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
    repairer = _Repairer()
    for message in messages:
        if message.role == "tool":
            repairer.result(message)
        else:
            repairer.message(message)
    repairer.answer_missing()
    return repairer.out


@dataclass
class _Repairer:
    """The view as repaired so far, and the calls of its last assistant message still
    waiting for their results."""

    out: list[Message] = field(default_factory=list)
    open_calls: set[str] = field(default_factory=set)
    opener: Message | None = None

    def result(self, message: Message) -> None:
        ids = [p.tool_call_id for p in message.parts if isinstance(p, ToolResultPart)]
        answered = [i for i in ids if i in self.open_calls]
        if not answered:
            return  # an orphan result: its call is not in the view
        if len(answered) < len(ids):
            message = message.model_copy(update={"parts": [
                p for p in message.parts
                if not isinstance(p, ToolResultPart) or p.tool_call_id in self.open_calls]})
        self.open_calls.difference_update(answered)
        self.out.append(message)

    def message(self, message: Message) -> None:
        self.answer_missing()
        if message.interrupted:
            message = mark_interrupted(message)
        if message.role == "assistant":
            for part in message.parts:
                if isinstance(part, ToolCallPart):
                    self.open_calls.add(part.id)
                    self.opener = message
        self.out.append(message)

    def answer_missing(self) -> None:
        """Results for calls that never got one (a crash between the call and its result)."""
        if not self.open_calls:
            return
        opener = self.opener
        assert opener is not None
        for call in opener.tool_calls:
            if call.id in self.open_calls:
                self.out.append(Message(
                    id=f"{opener.id}-missing-{call.id}", role="tool", turn_id=opener.turn_id,
                    parts=[ToolResultPart(tool_call_id=call.id, content=MISSING_RESULT,
                                          is_error=True)]))
        self.open_calls.clear()


def stub_text(call: ToolCallPart | None, content: str) -> str:
    """What a large, already-used tool output becomes in the view."""
    if call is None:
        return (f"[A tool output of {len(content):,} characters was left out here to save "
                "context; the full output is in the session history.]")
    args = json.dumps(call.arguments, ensure_ascii=False)
    if len(args) > 300:
        args = args[:297] + "..."
    return (f"[Output of {call.name}({args}) left out to save context: {len(content):,} "
            f"characters, already acted on. To see it again: recall(tool_call_id="
            f"\"{call.id}\"), or call {call.name} again.]")


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
    """The messages of one request, fitted to `req.budget` as far as the policy allows.

    Planned on cached per-message entries first; only the messages that are sent are
    copied, repaired or replaced by their stubs.
    """
    base, start = _base(req)
    entries = cache.entries(req.history)[start:]
    lead: list[Message] = [summary_message(req.summary)] if req.summary is not None else []
    raw_budget = int(req.budget / req.ratio) if req.ratio > 0 else req.budget
    plan = _plan(req, base, entries, lead, raw_budget, cache,
                 truncate=allow_truncation or req.policy == "full")
    kept = [cache.stub(base[i]) if i in plan.stubs else base[i]
            for i in range(plan.first, len(base))]
    view = kept if _valid(entries, plan.first) else repair(kept)
    total = plan.total
    if plan.first and not lead and view and view[0].role != "user":
        lead = [Message(id="truncated-note", role="user", parts=[TextPart(text=TRUNCATED_NOTE)])]
        total += estimate_message_tokens(lead[0])
    states: dict[str, Literal["stubbed"]] = {
        base[i].id: "stubbed" for i in plan.stubs if i >= plan.first}
    return DerivedContext(
        messages=lead + view, estimated_tokens=int(total * req.ratio + 0.5),
        budget_tokens=req.budget, dropped_messages=plan.first, stubbed_outputs=len(states),
        summarized_messages=start if req.summary is not None else 0,
        fits=total <= raw_budget, states=states, raw_tokens=total,
    )


@dataclass(frozen=True)
class _Plan:
    first: int  # index (into the base) of the first message kept
    total: int  # raw tokens of the request
    stubs: set[int]  # indexes of the outputs replaced by their stubs


def _plan(req: ViewRequest, base: list[Message], entries: list[Entry], lead: list[Message],
          raw_budget: int, cache: TokenCache, *, truncate: bool) -> _Plan:
    """Stub (not under `full`), then truncate (when allowed), until the request fits."""
    sizes = [e.size for e in entries]
    total = req.fixed_tokens + sum(estimate_message_tokens(m) for m in lead) + sum(sizes)
    stubs: set[int] = set()
    if total > raw_budget and req.policy != "full":
        total = _plan_stubs(base, entries, sizes, total, raw_budget, cache, stubs)
    first = 0
    if total > raw_budget and truncate:
        first, total = _plan_truncation(entries, sizes, total, raw_budget)
    return _Plan(first, total, stubs)


def _valid(entries: list[Entry], first: int) -> bool:
    """True when the view from `first` needs no repair (the usual case, checked on entries):
    no interrupted message, every result answers the calls just before it, none missing."""
    open_calls: set[str] = set()
    for k in range(first, len(entries)):
        e = entries[k]
        if e.interrupted:
            return False
        if e.role == "tool":
            for cid in e.results:
                if cid not in open_calls:
                    return False
                open_calls.discard(cid)
            continue
        if open_calls:
            return False
        if e.calls:
            open_calls = set(e.calls)
    return not open_calls


def _plan_stubs(base: list[Message], entries: list[Entry], sizes: list[int], total: int,
                budget: int, cache: TokenCache, stubs: set[int]) -> int:
    """Mark large outputs the model has acted on for stubbing, oldest first, until the
    total fits (sizes are updated in place); returns the new total."""
    last_assistant = -1
    for i in range(len(entries) - 1, -1, -1):
        if entries[i].role == "assistant":
            last_assistant = i
            break
    calls: dict[str, ToolCallPart] | None = None
    for i in range(last_assistant):
        e = entries[i]
        if e.role != "tool" or e.size < STUB_MIN_TOKENS:
            continue
        new_size = e.stub_size
        if new_size < 0:
            if calls is None:
                calls = {c.id: c for m in base[:last_assistant] if m.role == "assistant"
                         for c in m.tool_calls}
            call = calls.get(e.results[0]) if e.results else None
            new_size = e.stub_size = cache.stub_size(base[i], call)
        if new_size >= sizes[i]:
            continue
        stubs.add(i)
        total -= sizes[i] - new_size
        sizes[i] = new_size
        if total <= budget:
            break
    return total


def _plan_truncation(entries: list[Entry], sizes: list[int], total: int,
                     budget: int) -> tuple[int, int]:
    """(index of the first message kept, new total): the oldest whole units are left out,
    a user message (a whole exchange) preferred as the start, the newest unit always kept."""
    last_start = len(entries) - 1
    while last_start > 0 and entries[last_start].role == "tool":
        last_start -= 1
    first = 0
    i = 0
    while i < last_start and total > budget:  # drop message i and the rest of its unit
        total -= sizes[i]
        i += 1
        while i < last_start and entries[i].role == "tool":
            total -= sizes[i]
            i += 1
        first = i
    if first and entries[first].role != "user":
        j = first
        dropped = 0
        while j < last_start and entries[j].role != "user":
            dropped += sizes[j]
            j += 1
        if j < last_start:
            first, total = j, total - dropped
    return first, total


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
