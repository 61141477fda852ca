"""Putting one request's context together: system context, rules, pins, the view.

Called by the turn before every model call (and by `tether/session/context` for a
preview). It reads the project rules, derives the view for the session's policy and,
when the view does not fit (or the provider said it did not), compacts: the model
summarises the older part, the summary goes to history as a `compaction` record and the
view is derived again. If the summariser fails the view is truncated instead, and the
events say so (`compaction_failed`, then `context_truncated`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tether.protocol.events import (
    Compaction,
    CompactionCompleted,
    CompactionFailed,
    CompactionReason,
    CompactionStarted,
    ContextTruncated,
)
from tether.protocol.models import Message
from tether.providers.base import Provider, ToolSpec
from tether.session.budget import plan_budget
from tether.session.compaction import SummaryFailed, summarise
from tether.session.context import (
    DerivedContext,
    ViewRequest,
    compaction_cut,
    derive_view,
    estimate_text_tokens,
    estimate_tools_tokens,
)
from tether.session.emitter import Emit, EventScope
from tether.session.pins import ContextState, pinned_section
from tether.session.rules import RuleFile, read_rules, rules_section
from tether.settings import Settings
from tether.workspace.bridge import EditorBridge
from tether.workspace.folder import WorkspaceFolder

log = logging.getLogger(__name__)

KEEP_FRACTION = 0.35  # of the budget: the newest messages a compaction leaves whole
PATH_ARGUMENTS = ("path", "file", "file_path")


@dataclass(frozen=True)
class Assembled:
    system: str
    derived: DerivedContext
    rules: list[RuleFile]
    pinned: str
    base_system: str


class ContextAssembler:
    def __init__(self, *, context: ContextState, messages: list[Message],
                 folder: WorkspaceFolder, bridge: EditorBridge, settings: Settings,
                 emit: Emit, scope: EventScope, turn_start_id: str | None = None,
                 prompt: str = "",
                 hidden_turns: Callable[[], set[str]] | None = None) -> None:
        self.context = context
        self._history = messages  # the session's live list: appended to as the turn goes
        self._hidden_turns = hidden_turns  # turns the user rewound: never in the view
        self.folder = folder
        self.bridge = bridge
        self.settings = settings
        self.emit = emit
        self.scope = scope  # the session and turn its events belong to
        self.turn_start_id = turn_start_id
        self.prompt = prompt
        self.touched: list[str] = []

    @property
    def messages(self) -> list[Message]:
        """The history the model may see: rewound turns left out (history keeps them)."""
        hidden = self._hidden_turns() if self._hidden_turns is not None else set()
        if not hidden:
            return self._history
        return [m for m in self._history if m.turn_id not in hidden]

    @property
    def window(self) -> int:
        assert self.context.window is not None
        return self.context.window.window

    def note_call(self, arguments: dict[str, Any]) -> None:
        """A file the turn touches: the nearest AGENTS.md above it joins the rules."""
        for key in PATH_ARGUMENTS:
            value = arguments.get(key)
            if isinstance(value, str) and value and value not in self.touched:
                try:
                    self.touched.append(self.folder.relative(self.folder.resolve(value)))
                except Exception:  # a bad path is the tool's problem, not the context's
                    continue

    async def assemble(self, base_system: str, tools: list[ToolSpec], *,
                       provider: Provider | None, force_compact: bool = False,
                       reason: CompactionReason = "window") -> Assembled:
        rules = await read_rules(self.folder, self.bridge, self.touched)
        pinned = pinned_section(self.context, self.prompt)
        system = "\n\n".join(s for s in (base_system, rules_section(rules), pinned) if s)
        policy = self.settings.context_policy
        derived = self._derive(system, tools, allow_truncation=policy == "full")
        if policy != "full" and (not derived.fits or force_compact):
            if provider is not None and await self._compact(provider, derived, reason):
                derived = self._derive(system, tools, allow_truncation=False)
                await self.emit(CompactionCompleted(
                    **self.scope, tokens_before=self._last_before,
                    tokens_after=derived.estimated_tokens,
                    summarized_messages=derived.summarized_messages,
                    context_window=self.window))
            if not derived.fits:
                derived = self._derive(system, tools, allow_truncation=True)
        if derived.dropped_messages:
            await self.emit(ContextTruncated(
                **self.scope, dropped_messages=derived.dropped_messages,
                estimated_tokens=derived.estimated_tokens, context_window=self.window))
        return Assembled(system=system, derived=derived, rules=rules, pinned=pinned,
                         base_system=base_system)

    def _derive(self, system: str, tools: list[ToolSpec], *,
                allow_truncation: bool) -> DerivedContext:
        budget = plan_budget(self.window, self.settings.max_tokens)
        fixed = estimate_text_tokens(system) + estimate_tools_tokens(tools)
        request = ViewRequest(
            history=self.messages, fixed_tokens=fixed, budget=budget.tokens,
            policy=self.settings.context_policy, summary=self.context.summary,
            turn_start_id=self.turn_start_id, ratio=self.context.calibration.ratio,
        )
        return derive_view(request, self.context.cache, allow_truncation=allow_truncation)

    async def _compact(self, provider: Provider, derived: DerivedContext,
                       reason: CompactionReason) -> bool:
        """Summarise the older part; True when a new summary is in place."""
        self._last_before = derived.estimated_tokens
        budget = plan_budget(self.window, self.settings.max_tokens).tokens
        keep = int(budget * KEEP_FRACTION / max(self.context.calibration.ratio, 0.1))
        previous = self.context.summary
        cut = compaction_cut(self.messages, self.context.cache, keep,
                             after_id=previous.up_to_message_id if previous else None)
        await self.emit(CompactionStarted(**self.scope, tokens_before=derived.estimated_tokens,
                                          context_window=self.window, reason=reason))
        if cut is None:
            await self.emit(CompactionFailed(
                **self.scope, reason="nothing older to summarise: the newest messages alone "
                "do not fit the window"))
            return False
        start = 0
        if previous is not None:
            start = next((i + 1 for i in range(cut, -1, -1)
                          if self.messages[i].id == previous.up_to_message_id), 0)
        covered = self.messages[start:cut + 1]
        model = self.settings.compaction_model or self.settings.resolved_model
        try:
            summary = await summarise(provider, model, covered,
                                      previous.text if previous else None, budget)
        except SummaryFailed as exc:
            log.info("compaction failed: %s", exc)
            await self.emit(CompactionFailed(
                **self.scope, reason=f"{exc}; older messages are left out instead (the task "
                "and pins are kept)"))
            return False
        record = await self.emit(Compaction(
            **self.scope, summary=summary, up_to_message_id=self.messages[cut].id,
            summarized_messages=cut + 1, model=model), sync=True)
        self.context.apply(record)
        return True

    _last_before: int = 0
