"""One turn of the agentic loop: stream the model, run its tools, repeat until it stops.

A turn always ends with exactly one terminal event. Cancellation arrives as
CancelledError at whatever the turn is awaiting (the model stream, a tool, a permission
prompt); the runner then keeps the partial answer marked `interrupted`, gives every
pending tool call a "cancelled" result, persists, and emits `turn_cancelled`.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from tether.errors import ProviderError, TetherError
from tether.protocol.error_codes import code_for
from tether.protocol.events import (
    ContextTruncated,
    ErrorEvent,
    EventBase,
    FileEdited,
    MessageAdded,
    PermissionRequested,
    PermissionResolved,
    ReasoningDelta,
    StepLimitReached,
    StreamRetry,
    TextComplete,
    TextDelta,
    ToolCallCompleted,
    ToolCallStarted,
    ToolHeartbeat,
    ToolOutputChunk,
    TurnCancelled,
    TurnCompleted,
    TurnFailed,
    TurnStarted,
    UsageUpdated,
)
from tether.protocol.methods import PromptContext, TurnResult, TurnStatus
from tether.protocol.models import (
    Message,
    Part,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolResultPart,
    Usage,
)
from tether.providers.base import (
    ChatRequest,
    Provider,
    ReasoningChunk,
    RetryNotice,
    StreamFinished,
    TextChunk,
    ToolCallReady,
    UsageReport,
)
from tether.redaction import redact, redact_value
from tether.session.attachments import context_parts, mentioned_identifiers
from tether.session.changes import ChangeService
from tether.session.changeset import EDITS_ALWAYS, ChangeLedger
from tether.session.context import derive_context
from tether.session.deltas import DeltaBuffer
from tether.session.state import SessionState
from tether.session.system_prompt import build_system_prompt
from tether.settings import Settings
from tether.tools.base import IndexQuery, ToolContext, ToolOutcome
from tether.tools.registry import ToolRegistry, run_tool
from tether.workspace.bridge import EditorBridge, FileEdit, PermissionRequest, answer_of
from tether.workspace.folder import WorkspaceFolder, uri_to_path

log = logging.getLogger(__name__)

DISPLAY_OUTPUT_CAP = 4000
CANCELLED_RESULT = "Cancelled by the user before it finished. Do not retry it unless asked."


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass
class TurnDeps:
    folder: WorkspaceFolder
    bridge: EditorBridge
    provider_factory: Callable[[], Provider]
    tools: ToolRegistry
    settings: Settings
    context_window: int
    index: IndexQuery | None = None
    heartbeat_interval: float = 10.0
    changes: ChangeService | None = None  # records the turn's edits (with `ledger`)
    ledger: ChangeLedger | None = None


@dataclass
class _Partial:
    """The assistant message being streamed in the current step."""

    id: str = field(default_factory=new_id)
    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    signature: str | None = None
    calls: list[ToolCallReady] = field(default_factory=list)
    stop_reason: str = ""

    def reset(self) -> None:
        self.text.clear()
        self.reasoning.clear()
        self.calls.clear()
        self.signature = None

    def to_message(self, turn_id: str, *, interrupted: bool = False) -> Message:
        parts: list[Part] = []
        if self.reasoning:
            parts.append(ThinkingPart(text="".join(self.reasoning), signature=self.signature))
        if self.text:
            parts.append(TextPart(text="".join(self.text)))
        if not interrupted:
            parts.extend(
                ToolCallPart(
                    id=c.id,
                    name=c.name,
                    arguments=c.arguments,
                    raw_arguments=c.raw_arguments if c.arguments_error else None,
                )
                for c in self.calls
            )
        return Message(id=self.id, role="assistant", parts=parts, turn_id=turn_id,
                       interrupted=interrupted)


class TurnRunner:
    def __init__(self, state: SessionState, deps: TurnDeps, turn_id: str) -> None:
        self.state = state
        self.deps = deps
        self.turn_id = turn_id
        self.usage = Usage()
        self._partial: _Partial | None = None
        self._provider: Provider | None = None
        self._system: str | None = None
        self._deltas = DeltaBuffer(self._emit_delta)
        self._pending: dict[str, ToolCallPart] = {}
        self._started_tools: set[str] = set()
        self._last_text = ""
        self._stop_reason = "end_turn"
        self._focus_files: list[str] = []
        self._mentioned: list[str] = []
        self._current_call: ToolCallPart | None = None
        self._recorder = (deps.changes.recorder(state, turn_id, deps.ledger, self._ask_edit)
                          if deps.changes is not None and deps.ledger is not None else None)
        self._tool_bridge: EditorBridge = self._recorder or deps.bridge

    async def emit(self, event_type: type[EventBase], *, sync: bool = False,
                   **fields: Any) -> None:
        self._deltas.flush()  # buffered text goes first: seq order is emission order
        await self.state.emitter.emit(event_type, self.turn_id, sync=sync, **fields)

    def _emit_delta(self, kind: type[TextDelta] | type[ReasoningDelta], message_id: str,
                    text: str) -> None:
        self.state.emitter.emit_transient(kind, self.turn_id, message_id=message_id, text=text)

    # -- the loop ---------------------------------------------------------------------

    async def run(self, text: str, context: PromptContext | None) -> TurnResult:
        try:
            return await self._run(text, context)
        finally:
            if self._provider is not None:
                await asyncio.shield(self._provider.aclose())

    async def _run(self, text: str, context: PromptContext | None) -> TurnResult:
        settings = self.deps.settings
        try:
            await self.emit(TurnStarted, prompt=text, model=self.state.info.model)
            self._provider = self.deps.provider_factory()
            parts = await context_parts(text, context, self.deps.folder, self.deps.bridge,
                                        max_bytes=self.deps.settings.max_file_bytes)
            await self._add_message(Message(id=new_id(), role="user", parts=parts,
                                            turn_id=self.turn_id), sync=True)
            self._note_focus(text, context)
            for _step in range(settings.max_steps):
                await self._drain_steer()
                await self._drain_change_notes()
                done = await self._step()
                if done and not self.state.steer_queue:
                    return await self._finish("completed", TurnCompleted,
                                              reason=self._stop_reason, text=self._last_text)
            return await self._finish(
                "step_limit", StepLimitReached, steps=settings.max_steps,
                reason=f"stopped after {settings.max_steps} model calls (the step limit); "
                       "send another message to continue",
            )
        except asyncio.CancelledError:
            return await self._cancelled()
        except ProviderError as exc:
            return await self._failed(exc.message, exc)
        except TetherError as exc:
            return await self._failed(exc.message, exc)
        except Exception as exc:
            log.exception("turn %s failed with a bug", self.turn_id)
            return await self._failed(f"internal error: {type(exc).__name__}: {exc}", exc)

    def _note_focus(self, text: str, context: PromptContext | None) -> None:
        self._mentioned = mentioned_identifiers(text)
        if context and context.active_file_uri:
            try:
                path = self.deps.folder.resolve(uri_to_path(context.active_file_uri))
                self._focus_files.append(self.deps.folder.relative(path))
            except (TetherError, ValueError):
                pass

    async def _drain_change_notes(self) -> None:
        """What the user undid since the model's last request, said before the next one."""
        ledger = self.deps.ledger
        if ledger is not None and ledger.notes:
            notes, ledger.notes[:] = list(ledger.notes), []
            await self._add_message(Message(id=new_id(), role="user", turn_id=self.turn_id,
                                            parts=[TextPart(text="\n".join(notes))]))

    def _visible_history(self) -> list[Message]:
        """The history without the turns the user rewound (they stay on disk, marked)."""
        ledger = self.deps.ledger
        hidden = ledger.rewound if ledger is not None else set()
        if not hidden:
            return self.state.messages
        return [m for m in self.state.messages if m.turn_id not in hidden]

    async def _drain_steer(self) -> None:
        while self.state.steer_queue:
            steer_text = self.state.steer_queue.pop(0)
            await self._add_message(Message(id=new_id(), role="user",
                                            parts=[TextPart(text=steer_text)],
                                            turn_id=self.turn_id))

    async def _step(self) -> bool:
        """One model call and its tool calls; True when the model is done."""
        deps = self.deps
        if self._system is None:  # once per turn: steady for provider prompt caches
            self._system = await build_system_prompt(
                deps.folder, index=deps.index, focus_files=self._focus_files,
                mentioned=self._mentioned, repo_map_tokens=deps.settings.repo_map_tokens,
            )
        system = self._system
        tool_specs = deps.tools.specs()
        reserve = min(deps.settings.max_tokens, deps.context_window // 4)
        derived = derive_context(self._visible_history(), system=system, tools=tool_specs,
                                 window_tokens=deps.context_window, reserve_tokens=reserve)
        if derived.dropped_messages:
            await self.emit(ContextTruncated, dropped_messages=derived.dropped_messages,
                            estimated_tokens=derived.estimated_tokens,
                            context_window=deps.context_window)
        request = ChatRequest(model=deps.settings.resolved_model, system=system,
                              messages=derived.messages, tools=tool_specs,
                              max_tokens=deps.settings.max_tokens)
        partial = self._partial = _Partial()
        step_usage = Usage()
        assert self._provider is not None
        async for event in self._provider.stream(request):
            if isinstance(event, TextChunk):
                partial.text.append(event.text)
                self._deltas.add(TextDelta, partial.id, event.text)
            elif isinstance(event, ReasoningChunk):
                partial.reasoning.append(event.text)
                partial.signature = event.signature or partial.signature
                if event.text:
                    self._deltas.add(ReasoningDelta, partial.id, event.text)
            elif isinstance(event, ToolCallReady):
                partial.calls.append(event)
            elif isinstance(event, UsageReport):
                step_usage = event.usage
            elif isinstance(event, RetryNotice):
                partial.reset()
                await self.emit(StreamRetry, attempt=event.attempt, reason=event.reason,
                                delay_seconds=event.delay_seconds)
            elif isinstance(event, StreamFinished):
                partial.stop_reason = event.stop_reason
        message = partial.to_message(self.turn_id)
        if partial.text:
            await self.emit(TextComplete, message_id=partial.id, text=message.text)
        for call in message.tool_calls:
            self._pending[call.id] = call
        if message.parts:
            await self._add_message(message)
        self._partial = None
        await self._record_usage(step_usage, derived.estimated_tokens)
        if not message.tool_calls:
            self._last_text = message.text
            self._stop_reason = partial.stop_reason or "end_turn"
            return True
        await self._run_tools(message.tool_calls, partial.calls)
        return False

    async def _record_usage(self, step: Usage, estimated_tokens: int) -> None:
        if step.total_tokens == 0 and (step.prompt_tokens or step.completion_tokens):
            step = step.model_copy(
                update={"total_tokens": step.prompt_tokens + step.completion_tokens})
        self.usage = self.usage + step
        info = self.state.info
        info.usage = info.usage + step
        await self.emit(UsageUpdated, usage=step, total=info.usage,
                        context_tokens=step.prompt_tokens or estimated_tokens,
                        context_window=self.deps.context_window)

    # -- tools ------------------------------------------------------------------------

    async def _run_tools(self, calls: list[ToolCallPart], ready: list[ToolCallReady]) -> None:
        """Read-only calls run in parallel batches; the others one by one, in order."""
        errors = {c.id: c.arguments_error for c in ready if c.arguments_error}
        batch: list[ToolCallPart] = []
        for call in calls:
            tool = self.deps.tools.get(call.name)
            if tool is not None and tool.read_only and call.id not in errors:
                batch.append(call)
                continue
            await self._run_batch(batch, errors)
            batch = []
            await self._run_batch([call], errors)
        await self._run_batch(batch, errors)

    async def _run_batch(self, calls: list[ToolCallPart], errors: dict[str, str]) -> None:
        if not calls:
            return
        outcomes = await asyncio.gather(*(self._run_one(c, errors.get(c.id)) for c in calls))
        for call, outcome in zip(calls, outcomes, strict=True):
            await self._add_tool_result(call, outcome.content, outcome.is_error)

    async def _run_one(self, call: ToolCallPart, args_error: str | None) -> ToolOutcome:
        self._started_tools.add(call.id)
        await self.emit(ToolCallStarted, tool_call_id=call.id, name=call.name,
                        arguments=call.arguments)
        started = time.monotonic()
        heartbeat = asyncio.create_task(self._heartbeat(call.id, started))
        try:
            outcome = await self._invoke(call, args_error)
        finally:
            heartbeat.cancel()
        # Masked before anything sees it: the model, the events, history (invariant 6).
        outcome = replace(outcome, content=redact(outcome.content))
        duration_ms = int((time.monotonic() - started) * 1000)
        if outcome.edited_uri and outcome.diff is not None:
            recorded = (self._recorder.fields_for(uri_to_path(outcome.edited_uri))
                        if self._recorder is not None else {})
            await self.emit(FileEdited, tool_call_id=call.id, uri=outcome.edited_uri,
                            diff=outcome.diff, applied=outcome.edit_applied,
                            rebased=outcome.edit_rebased, message=outcome.edit_message,
                            **recorded)
        shown = outcome.content[:DISPLAY_OUTPUT_CAP]
        await self.emit(ToolCallCompleted, tool_call_id=call.id, name=call.name,
                        success=not outcome.is_error, duration_ms=duration_ms, output=shown,
                        truncated=len(outcome.content) > DISPLAY_OUTPUT_CAP)
        return outcome

    async def _invoke(self, call: ToolCallPart, args_error: str | None) -> ToolOutcome:
        registry = self.deps.tools
        tool = registry.get(call.name)
        if tool is None:
            names = ", ".join(registry.names)
            return ToolOutcome(f"Unknown tool {call.name!r}. Available tools: {names}.",
                               is_error=True)
        if args_error:
            return ToolOutcome(f"{call.name}: the arguments were not valid JSON ({args_error}); "
                               "send them again as a JSON object.", is_error=True)
        problem = registry.validate(call.name, call.arguments)
        if problem:
            return ToolOutcome(problem, is_error=True)
        if tool.needs_permission and not await self._permitted(call, tool.describe_call(
                call.arguments)):
            return ToolOutcome(f"The user rejected this {call.name} call. Do not retry it; "
                               "ask the user what they want instead.", is_error=True)
        self._current_call = call
        ctx = ToolContext(
            workspace=self.deps.folder, bridge=self._tool_bridge,
            session_id=self.state.info.id, tool_call_id=call.id,
            emit_output=lambda chunk: self.emit(ToolOutputChunk, tool_call_id=call.id,
                                                text=chunk),
            index=self.deps.index, command_timeout=self.deps.settings.command_timeout,
            tool_timeout=self.deps.settings.tool_timeout,
            max_file_bytes=self.deps.settings.max_file_bytes,
            grep_timeout=self.deps.settings.grep_timeout,
        )
        try:
            return await run_tool(tool, call.arguments, ctx)
        except TetherError as exc:
            return ToolOutcome(f"{call.name} failed: {exc.message}", is_error=True)

    async def _permitted(self, call: ToolCallPart, description: str) -> bool:
        settings = self.deps.settings
        if (settings.auto_approve or call.name in settings.allowed_tools
                or call.name in self.state.always_allowed):
            return True
        description = redact(description)  # it goes to the editor outside the events, too
        await self.emit(PermissionRequested, tool_call_id=call.id, tool=call.name,
                        description=description)
        option = answer_of(await self.deps.bridge.request_permission(PermissionRequest(
            session_id=self.state.info.id, tool_call_id=call.id, tool=call.name,
            description=description))).option
        await self.emit(PermissionResolved, tool_call_id=call.id, option=option)
        if option == "allow_always":
            self.state.always_allowed.add(call.name)
        return option in ("allow_once", "allow_always")

    async def _ask_edit(self, edit: FileEdit) -> str | None:
        """In `ask` mode, propose the edit with its diff; None when it may land.

        Never asks when the user allowed every tool (autoApprove), allowed this edit
        tool by name (allowedTools), or answered "allow always" to an edit this session.
        """
        settings = self.deps.settings
        call = self._current_call
        tool = call.name if call is not None else "edit"
        if (settings.edit_approval != "ask" or settings.auto_approve
                or tool in settings.allowed_tools or EDITS_ALWAYS in self.state.always_allowed):
            return None
        call_id = call.id if call is not None else ""
        rel = self.deps.folder.relative(edit.path)
        description, diff = redact(f"Edit {rel}"), redact(edit.diff)
        await self.emit(PermissionRequested, tool_call_id=call_id, tool=tool,
                        description=description, diff=diff)
        answer = answer_of(await self.deps.bridge.request_permission(PermissionRequest(
            session_id=self.state.info.id, tool_call_id=call_id, tool=tool,
            description=description, diff=diff)))
        await self.emit(PermissionResolved, tool_call_id=call_id, option=answer.option)
        if answer.option == "allow_always":
            self.state.always_allowed.add(EDITS_ALWAYS)
        if answer.option in ("allow_once", "allow_always"):
            return None
        said = f' They said: "{answer.comment}".' if answer.comment else ""
        return (f"The user rejected this edit to {rel}; it was not applied.{said} Do not "
                "make it again unless they ask for it.")

    async def _heartbeat(self, tool_call_id: str, started: float) -> None:
        while True:
            await asyncio.sleep(self.deps.heartbeat_interval)
            elapsed = int((time.monotonic() - started) * 1000)
            await self.emit(ToolHeartbeat, tool_call_id=tool_call_id, elapsed_ms=elapsed)

    async def _add_tool_result(self, call: ToolCallPart, content: str, is_error: bool) -> None:
        self._pending.pop(call.id, None)
        result = ToolResultPart(tool_call_id=call.id, content=content, is_error=is_error)
        await self._add_message(
            Message(id=new_id(), role="tool", parts=[result], turn_id=self.turn_id), sync=True)

    async def _add_message(self, message: Message, *, sync: bool = False) -> None:
        message = redact_value(message)  # what the model echoed is not sent on, either
        self.state.messages.append(message)
        await self.emit(MessageAdded, message=message, sync=sync)

    # -- endings ----------------------------------------------------------------------

    async def _finish(self, status: TurnStatus, event_type: type[EventBase],
                      **fields: Any) -> TurnResult:
        await self.emit(event_type, sync=True, **fields)
        text = redact(str(fields.get("text", "")))
        reason = redact(str(fields.get("reason", "")))
        return TurnResult(session_id=self.state.info.id, turn_id=self.turn_id, status=status,
                          text=text, usage=self.usage, reason=reason)

    async def _failed(self, reason: str, exc: BaseException) -> TurnResult:
        code = int(code_for(exc))
        await self._keep_partial()
        await self.emit(ErrorEvent, message=reason, code=code, fatal=True)
        return await self._finish("failed", TurnFailed, reason=reason, code=code)

    async def _cancelled(self) -> TurnResult:
        """Persist what was said and done, close pending calls, then the terminal event."""
        await self._keep_partial()
        for call in list(self._pending.values()):
            if call.id in self._started_tools:
                await self.emit(ToolCallCompleted, tool_call_id=call.id, name=call.name,
                                success=False, duration_ms=0, output="cancelled")
            await self._add_tool_result(call, CANCELLED_RESULT, True)
        return await self._finish("cancelled", TurnCancelled, reason="cancelled by user")

    async def _keep_partial(self) -> None:
        partial, self._partial = self._partial, None
        if partial is not None and (partial.text or partial.reasoning):
            message = partial.to_message(self.turn_id, interrupted=True)
            await self._add_message(message)

