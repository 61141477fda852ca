"""`tether/session/context`: what the next request would contain, section by section.

Built the way a turn builds its request (same system prompt, rules, pins, derivation),
without calling the model and without compacting, so a client's context gauge shows the
truth and the user can see what was stubbed, summarised or left out.
"""

from __future__ import annotations

from tether.protocol.methods import ContextItem, ContextResult, ContextSection
from tether.protocol.models import Message
from tether.session.assemble import ContextAssembler
from tether.session.context import (
    estimate_message_tokens,
    estimate_text_tokens,
    estimate_tools_tokens,
)
from tether.session.emitter import E
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
    ratio = context.calibration.ratio

    def scaled(tokens: int) -> int:
        return int(tokens * ratio + 0.5)

    rule_items = [ContextItem(label=r.path, tokens=scaled(estimate_text_tokens(r.text)))
                  for r in built.rules]
    pin_items = [ContextItem(label=pin_id, tokens=scaled(estimate_text_tokens(text)))
                 for pin_id, text in context.pins.items()]
    if context.task:
        pin_items.insert(0, ContextItem(label="task (first message)",
                                        tokens=scaled(estimate_text_tokens(context.task))))
    sent = {m.id for m in derived.messages}
    summary_items: list[ContextItem] = []
    message_items: list[ContextItem] = []
    summary_tokens = 0
    for message in derived.messages:
        tokens = scaled(estimate_message_tokens(message))
        if context.summary is not None and message.id.startswith("summary-"):
            summary_tokens += tokens
            summary_items.append(ContextItem(label="summary", tokens=tokens,
                                             state="summarized"))
            continue
        message_items.append(ContextItem(label=_label(message), tokens=tokens,
                                         state=derived.states.get(message.id, "whole")))
    dropped_items: list[ContextItem] = []
    for position, message in enumerate(state.messages):
        if message.id in sent or derived.states.get(message.id) == "stubbed":
            continue
        covered = position < derived.summarized_messages
        dropped_items.append(ContextItem(label=_label(message), tokens=0,
                                         state="summarized" if covered else "dropped"))
    message_items = dropped_items + message_items
    if len(message_items) > MAX_MESSAGE_ITEMS:
        hidden = len(message_items) - MAX_MESSAGE_ITEMS + 1
        rest = message_items[:hidden]
        older = ContextItem(label=f"{hidden} older messages", tokens=sum(i.tokens for i in rest),
                            state=rest[-1].state)
        message_items = [older, *message_items[hidden:]]
    rules_tokens = sum(i.tokens for i in rule_items)
    pins_tokens = scaled(estimate_text_tokens(built.pinned)) if built.pinned else 0
    system_tokens = scaled(estimate_text_tokens(built.system)) - rules_tokens - pins_tokens
    tools_tokens = scaled(estimate_tools_tokens(specs))
    messages_tokens = max(derived.estimated_tokens - system_tokens - rules_tokens - pins_tokens
                          - tools_tokens - summary_tokens, 0)
    sections = [
        ContextSection(name="system", tokens=max(system_tokens, 0)),
        ContextSection(name="tools", tokens=tools_tokens,
                       items=[ContextItem(label=t.name, tokens=scaled(estimate_tools_tokens([t])))
                              for t in specs]),
        ContextSection(name="rules", tokens=rules_tokens, items=rule_items),
        ContextSection(name="pins", tokens=pins_tokens, items=pin_items),
        ContextSection(name="summary", tokens=summary_tokens, items=summary_items),
        ContextSection(name="messages", tokens=messages_tokens, items=message_items),
    ]
    window = context.window.window if context.window is not None else 0
    return ContextResult(
        session_id=state.info.id, policy=settings.context_policy, context_window=window,
        budget_tokens=derived.budget_tokens, total_tokens=derived.estimated_tokens,
        sections=sections, stubbed_outputs=derived.stubbed_outputs,
        dropped_messages=derived.dropped_messages,
        summarized_messages=derived.summarized_messages,
        can_continue=context.checkpoint is not None and not state.running,
    )
