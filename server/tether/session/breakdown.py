"""`tether/session/context`: what the next request would contain, section by section.

Built the way a turn builds its request (same system prompt, rules, pins, derivation),
without calling the model and without compacting, so a client's context gauge shows the
truth and the user can see what was stubbed, summarised or left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from tether.protocol.methods import ContextItem, ContextResult, ContextSection
from tether.protocol.models import Message
from tether.providers.base import ToolSpec
from tether.session.assemble import Assembled, ContextAssembler
from tether.session.context import (
    DerivedContext,
    estimate_message_tokens,
    estimate_text_tokens,
    estimate_tools_tokens,
)
from tether.session.emitter import E
from tether.session.pins import ContextState
from tether.session.recall import session_tool_specs
from tether.session.state import SessionState
from tether.session.system_prompt import build_system_prompt
from tether.settings import Settings
from tether.tools.base import IndexQuery
from tether.tools.registry import ToolRegistry
from tether.workspace.bridge import EditorBridge
from tether.workspace.folder import WorkspaceFolder

MAX_MESSAGE_ITEMS = 200
LABEL_CHARS = 60


async def _nothing(event: E, *, sync: bool = False) -> E:
    """A preview's emit: it says nothing (no turn runs)."""
    return event


def _label(message: Message) -> str:
    if message.role == "tool":
        return "tool: " + ", ".join(r.tool_call_id for r in message.tool_results)
    calls = ", ".join(c.name for c in message.tool_calls)
    text = " ".join(message.text.split())[:LABEL_CHARS]
    body = " ".join(x for x in (text, f"[{calls}]" if calls else "") if x)
    return f"{message.role}: {body}"


async def context_breakdown(state: SessionState, settings: Settings, *,
                            folder: WorkspaceFolder, bridge: EditorBridge,
                            tools: ToolRegistry, index: IndexQuery | None) -> ContextResult:
    context = state.context
    last_user = next((m.id for m in reversed(state.messages) if m.role == "user"), None)
    assembler = ContextAssembler(
        context=context, messages=state.messages, folder=folder, bridge=bridge,
        settings=settings, emit=_nothing, scope=state.emitter.scope(None),
        turn_start_id=last_user,
    )
    base = await build_system_prompt(folder, index=index, focus_files=[], mentioned=[],
                                     repo_map_tokens=settings.repo_map_tokens)
    specs = session_tool_specs(tools)
    built = await assembler.assemble(base, specs, provider=None)
    derived = built.derived
    scale = _Scale(context.calibration.ratio)
    window = context.window.window if context.window is not None else 0
    return ContextResult(
        session_id=state.info.id, policy=settings.context_policy, context_window=window,
        budget_tokens=derived.budget_tokens, total_tokens=derived.estimated_tokens,
        sections=_sections(built, specs, _pin_items(context, scale),
                           _MessageItems.of(state, derived, scale), scale),
        stubbed_outputs=derived.stubbed_outputs,
        dropped_messages=derived.dropped_messages,
        summarized_messages=derived.summarized_messages,
        can_continue=context.checkpoint is not None and not state.running,
    )


@dataclass(frozen=True)
class _Scale:
    """Estimated tokens, scaled by the calibration ratio to what the provider reports."""

    ratio: float

    def __call__(self, tokens: int) -> int:
        return int(tokens * self.ratio + 0.5)

    def text(self, text: str) -> int:
        return self(estimate_text_tokens(text))


def _pin_items(context: ContextState, scale: _Scale) -> list[ContextItem]:
    items = [ContextItem(label=pin_id, tokens=scale.text(text))
             for pin_id, text in context.pins.items()]
    if context.task:
        items.insert(0, ContextItem(label="task (first message)", tokens=scale.text(context.task)))
    return items


@dataclass
class _MessageItems:
    """The history's items: the summary, and each message sent, stubbed or left out."""

    summary: list[ContextItem]
    summary_tokens: int
    messages: list[ContextItem]

    @classmethod
    def of(cls, state: SessionState, derived: DerivedContext, scale: _Scale) -> _MessageItems:
        has_summary = state.context.summary is not None
        summary: list[ContextItem] = []
        sent: list[ContextItem] = []
        for message in derived.messages:
            tokens = scale(estimate_message_tokens(message))
            if has_summary and message.id.startswith("summary-"):
                summary.append(ContextItem(label="summary", tokens=tokens, state="summarized"))
            else:
                sent.append(ContextItem(label=_label(message), tokens=tokens,
                                        state=derived.states.get(message.id, "whole")))
        items = _left_out(state.messages, derived) + sent
        return cls(summary, sum(i.tokens for i in summary), _capped(items))


def _left_out(history: list[Message], derived: DerivedContext) -> list[ContextItem]:
    """Messages not in the request (nor stubbed there): summarised or dropped."""
    sent = {m.id for m in derived.messages}
    return [ContextItem(label=_label(message), tokens=0,
                        state="summarized" if position < derived.summarized_messages
                        else "dropped")
            for position, message in enumerate(history)
            if message.id not in sent and derived.states.get(message.id) != "stubbed"]


def _capped(items: list[ContextItem]) -> list[ContextItem]:
    """At most MAX_MESSAGE_ITEMS: the oldest are folded into one item."""
    if len(items) <= MAX_MESSAGE_ITEMS:
        return items
    hidden = len(items) - MAX_MESSAGE_ITEMS + 1
    rest = items[:hidden]
    older = ContextItem(label=f"{hidden} older messages", tokens=sum(i.tokens for i in rest),
                        state=rest[-1].state)
    return [older, *items[hidden:]]


def _sections(built: Assembled, specs: list[ToolSpec], pin_items: list[ContextItem],
              history: _MessageItems, scale: _Scale) -> list[ContextSection]:
    """The request, section by section; the messages get what the others leave."""
    rule_items = [ContextItem(label=r.path, tokens=scale.text(r.text)) for r in built.rules]
    rules_tokens = sum(i.tokens for i in rule_items)
    pins_tokens = scale.text(built.pinned) if built.pinned else 0
    system_tokens = scale.text(built.system) - rules_tokens - pins_tokens
    tools_tokens = scale(estimate_tools_tokens(specs))
    messages_tokens = max(built.derived.estimated_tokens - system_tokens - rules_tokens
                          - pins_tokens - tools_tokens - history.summary_tokens, 0)
    return [
        ContextSection(name="system", tokens=max(system_tokens, 0)),
        ContextSection(name="tools", tokens=tools_tokens,
                       items=[ContextItem(label=t.name, tokens=scale(estimate_tools_tokens([t])))
                              for t in specs]),
        ContextSection(name="rules", tokens=rules_tokens, items=rule_items),
        ContextSection(name="pins", tokens=pins_tokens, items=pin_items),
        ContextSection(name="summary", tokens=history.summary_tokens, items=history.summary),
        ContextSection(name="messages", tokens=messages_tokens, items=history.messages),
    ]
