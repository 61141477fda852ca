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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from tether.errors import ContextLengthExceededError, ProviderError, TetherError
from tether.pricing import price_for
from tether.protocol.error_codes import code_for
from tether.protocol.events import (
    Checkpoint,
    ErrorEvent,
    FileEdited,
    MessageAdded,
    MessageCheckpoint,
    PermissionRequested,
    PermissionResolved,
    ReasoningDelta,
    StepLimitReached,
    StreamRetry,
    TerminalEvent,
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
    TextPart,
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
from tether.session.assemble import Assembled, ContextAssembler
from tether.session.attachments import context_parts, mentioned_identifiers
from tether.session.changes import ChangeService
from tether.session.changeset import EDITS_ALWAYS, ChangeLedger
from tether.session.checkpoint import checkpoint_fields
from tether.session.emitter import E
from tether.session.partial import PartialMessage, new_id
from tether.session.recall import RECALL, recall, session_tool_specs
from tether.session.recording import EditRecord
from tether.session.state import SessionState
from tether.session.system_prompt import build_system_prompt
from tether.settings import Settings
from tether.tools.base import IndexQuery, Tool, ToolContext, ToolOutcome
from tether.tools.registry import ToolRegistry, run_tool, tool_allowed
from tether.workspace.bridge import (
    EditorBridge,
    FileEdit,
    PermissionAnswer,
    PermissionRequest,
    answer_of,
)
from tether.workspace.folder import WorkspaceFolder, uri_to_path

log = logging.getLogger(__name__)

DISPLAY_OUTPUT_CAP = 4000
CANCELLED_RESULT = "Cancelled by the user before it finished. Do not retry it unless asked."
CHECKPOINT_SECONDS = 2.0  # streamed text is saved at least this often (crash recovery)


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
    # what other processes appended, folded in before each model request
    before_request: Callable[[], Awaitable[None]] | None = None
    checkpoint_interval: float = CHECKPOINT_SECONDS
    started: asyncio.Event | None = None  # set once a cancel would reach the turn's handler
    # More tools for this turn (MCP servers'), resolved once the turn has started.
    extra_tools: Callable[[], Awaitable[list[Tool]]] | None = None
    changes: ChangeService | None = None  # records the turn's edits (with `ledger`)
    ledger: ChangeLedger | None = None


class TurnRunner:
    def __init__(self, state: SessionState, deps: TurnDeps, turn_id: str) -> None:
        self.state = state
        self.deps = deps
        self.turn_id = turn_id
        self.usage = Usage()
        self._partial: PartialMessage | None = None
        self._provider: Provider | None = None
        self._system: str | None = None
        self._pending: dict[str, ToolCallPart] = {}
        self._started_tools: set[str] = set()
        self._last_text = ""
        self._stop_reason = "end_turn"
        self._focus_files: list[str] = []
        self._mentioned: list[str] = []
        self._assembler: ContextAssembler | None = None
        self._query = ""  # the user's message: personalises the repo map
        self._terminal: asyncio.Future[Any] | None = None  # the one terminal write
        self._result: TurnResult | None = None
        self._current_call: ToolCallPart | None = None
        self._recorder = (deps.changes.recorder(state, turn_id, deps.ledger, self._ask_edit)
                          if deps.changes is not None and deps.ledger is not None else None)
        self._tool_bridge: EditorBridge = self._recorder or deps.bridge
        self.scope = state.emitter.scope(turn_id)  # whose the turn's events are

    async def emit(self, event: E, *, sync: bool = False,
                   stored_without: tuple[str, ...] = ()) -> E:
        return await self.state.emitter.emit(event, sync=sync, stored_without=stored_without)

    # -- the loop ---------------------------------------------------------------------

    async def run(self, text: str, context: PromptContext | None,
                  client_message_id: str | None = None) -> TurnResult:
        try:
            try:
                return await self._run(text, context, client_message_id)
            except asyncio.CancelledError:
                # landed while the turn was already ending (writing its failure): the
                # turn still gets exactly one terminal record
                return await self._cancelled()
        finally:
            if self._provider is not None:
                await asyncio.shield(self._provider.aclose())

    async def _run(self, text: str, context: PromptContext | None,
                   client_message_id: str | None) -> TurnResult:
        settings = self.deps.settings
        try:
            if self.deps.started is not None:
                self.deps.started.set()
            # the prompt is stored once, in the user message right after this record
            await self.emit(TurnStarted(**self.scope, prompt=text, model=self.state.info.model,
                                        client_message_id=client_message_id),
                            stored_without=("prompt",))
            try:
                if self.deps.before_request is not None:  # what other windows said, first
                    await self.deps.before_request()
                self._provider = self.deps.provider_factory()
                parts = await context_parts(
                    text, context, self.deps.folder, self.deps.bridge, self.deps.index,
                    max_bytes=self.deps.settings.max_file_bytes)
            except BaseException:
                parts = [TextPart(text=text)]  # the prompt is kept whatever happens
                raise
            finally:
                first = Message(id=new_id(), role="user", parts=parts, turn_id=self.turn_id)
                self.state.context.note_task(first)
                self.state.context.checkpoint = None
                await self._add_message(first, sync=True)
            self._assembler = ContextAssembler(
                context=self.state.context, messages=self.state.messages,
                folder=self.deps.folder, bridge=self.deps.bridge, settings=settings,
                emit=self.emit, scope=self.scope, turn_start_id=first.id, prompt=text,
                hidden_turns=self._rewound_turns,
            )
            self._note_focus(text, context)
            await self._add_extra_tools()  # after the prompt is kept: it may ask (trust)
            for _step in range(settings.max_steps):
                await self._drain_steer()
                await self._drain_change_notes()
                done = await self._step()
                if done and not self.state.steer_queue:
                    return await self._finish("completed", TurnCompleted(
                        **self.scope, reason=self._stop_reason, text=self._last_text))
            return await self._step_limit(text)
        except asyncio.CancelledError:
            return await self._cancelled()
        except ProviderError as exc:
            return await self._failed(exc.message, exc)
        except TetherError as exc:
            return await self._failed(exc.message, exc)
        except Exception as exc:
            log.exception("turn %s failed with a bug", self.turn_id)
            return await self._failed(f"internal error: {type(exc).__name__}: {exc}", exc)

    async def _add_extra_tools(self) -> None:
        """Join the MCP tools; trouble there never keeps the turn from running."""
        if self.deps.extra_tools is None:
            return
        try:
            extra = await self.deps.extra_tools()
        except TetherError as exc:
            log.warning("MCP tools unavailable for this turn: %s", exc.message)
            return
        except Exception:
            log.exception("MCP tools unavailable for this turn")
            return
        if extra:
            self.deps.tools = self.deps.tools.with_tools(extra)

    def _note_focus(self, text: str, context: PromptContext | None) -> None:
        self._mentioned = mentioned_identifiers(text)
        self._query = text
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

    def _rewound_turns(self) -> set[str]:
        """The turns the user rewound: left out of the model's view (they stay on disk)."""
        ledger = self.deps.ledger
        return ledger.rewound if ledger is not None else set()

    async def _drain_steer(self) -> None:
        while self.state.steer_queue:
            steer_text = self.state.steer_queue.pop(0)
            await self._add_message(Message(id=new_id(), role="user",
                                            parts=[TextPart(text=steer_text)],
                                            turn_id=self.turn_id))

    async def _step(self) -> bool:
        """One model call and its tool calls; True when the model is done."""
        deps = self.deps
        if deps.before_request is not None:
            await deps.before_request()
        if self._system is None:  # once per turn: steady for provider prompt caches
            self._system = await build_system_prompt(
                deps.folder, index=deps.index, focus_files=self._focus_files,
                mentioned=self._mentioned, repo_map_tokens=deps.settings.repo_map_tokens,
                query=self._query,
            )
        tool_specs = session_tool_specs(deps.tools)
        assert self._assembler is not None and self._provider is not None
        built = await self._assembler.assemble(self._system, tool_specs,
                                               provider=self._provider)
        try:
            partial, step_usage = await self._stream(built, tool_specs)
        except ContextLengthExceededError as exc:
            # The provider's window is smaller than we thought: learn it, compact, retry once.
            self._learn_limit(exc, built)
            built = await self._assembler.assemble(self._system, tool_specs,
                                                   provider=self._provider,
                                                   force_compact=True, reason="provider_limit")
            partial, step_usage = await self._stream(built, tool_specs)
        return await self._after_stream(partial, step_usage, built)

    def _learn_limit(self, exc: ContextLengthExceededError, built: Assembled) -> None:
        context = self.state.context
        assert context.window is not None
        if exc.prompt_tokens:
            context.calibration.observe(built.derived.raw_tokens, exc.prompt_tokens)
        limit = exc.limit or int(built.derived.estimated_tokens * 0.8)
        context.window.lower_to(limit)
        log.info("provider refused %d estimated tokens; window now %d",
                 built.derived.estimated_tokens, context.window.window)

    async def _stream(self, built: Assembled,
                      tool_specs: list[Any]) -> tuple[PartialMessage, Usage]:
        deps = self.deps
        request = ChatRequest(model=deps.settings.resolved_model, system=built.system,
                              messages=built.derived.messages, tools=tool_specs,
                              max_tokens=deps.settings.max_tokens)
        partial = self._partial = PartialMessage()
        step_usage = Usage()
        assert self._provider is not None
        # The per-token path: the coalescer queues the text, and the checkpoint is only
        # awaited when one is due (a clock read, not a coroutine, per token).
        stream_text, every = self.state.emitter.stream_text, deps.checkpoint_interval
        async for event in self._provider.stream(request):
            if isinstance(event, TextChunk):
                partial.text.append(event.text)
                stream_text(TextDelta, self.turn_id, partial.id, event.text)
                if partial.checkpoint_due(every):
                    await self._checkpoint(partial)
            elif isinstance(event, ReasoningChunk):
                partial.reasoning.append(event.text)
                partial.signature = event.signature or partial.signature
                stream_text(ReasoningDelta, self.turn_id, partial.id, event.text)
                if partial.checkpoint_due(every):
                    await self._checkpoint(partial)
            elif isinstance(event, ToolCallReady):
                partial.calls.append(event)
            elif isinstance(event, UsageReport):
                step_usage = event.usage
            elif isinstance(event, RetryNotice):
                # The retry streams under a fresh id, so no client shows the dropped
                # partial's text twice: per message id, deltas add up to the stored text.
                discarded = partial.id
                partial.reset()
                partial.id = new_id()
                partial.checkpointed = (0, 0)
                await self.emit(StreamRetry(**self.scope, attempt=event.attempt,
                                            reason=event.reason,
                                            delay_seconds=event.delay_seconds,
                                            discard_message_id=discarded))
            elif isinstance(event, StreamFinished):
                partial.stop_reason = event.stop_reason
        return partial, step_usage

    async def _after_stream(self, partial: PartialMessage, step_usage: Usage,
                            built: Assembled) -> bool:
        derived = built.derived
        message = partial.to_message(self.turn_id)
        if partial.text:
            await self.emit(TextComplete(**self.scope, message_id=partial.id,
                                         text=message.text))
        for call in message.tool_calls:
            self._pending[call.id] = call
        if message.parts:
            await self._add_message(message)
        self._partial = None
        if step_usage.prompt_tokens:
            self.state.context.calibration.observe(derived.raw_tokens, step_usage.prompt_tokens)
        await self._record_usage(step_usage, derived.estimated_tokens)
        assert self._assembler is not None
        for call in message.tool_calls:
            self._assembler.note_call(call.arguments)
        if not message.tool_calls:
            self._last_text = message.text
            self._stop_reason = partial.stop_reason or "end_turn"
            return True
        await self._run_tools(message.tool_calls, partial.calls)
        return False

    async def _checkpoint(self, partial: PartialMessage) -> None:
        """Save the streamed text every few seconds (when `checkpoint_due`): a killed
        process keeps it."""
        texts, thoughts = partial.checkpointed
        if texts == len(partial.text) and thoughts == len(partial.reasoning):
            return
        partial.checkpointed_at = time.monotonic()
        partial.checkpointed = (len(partial.text), len(partial.reasoning))
        await self.emit(MessageCheckpoint(**self.scope, message_id=partial.id,
                                          text="".join(partial.text[texts:]),
                                          reasoning="".join(partial.reasoning[thoughts:])))

    async def _record_usage(self, step: Usage, estimated_tokens: int) -> None:
        if step.total_tokens == 0 and (step.prompt_tokens or step.completion_tokens):
            step = step.model_copy(
                update={"total_tokens": step.prompt_tokens + step.completion_tokens})
        self.usage = self.usage + step
        info = self.state.info
        info.usage = info.usage + step
        window = self.state.context.window
        price = price_for(info.model or self.deps.settings.model_selector,
                          self.deps.settings.prices)
        await self.emit(UsageUpdated(
            **self.scope, usage=step, total=info.usage,
            context_tokens=step.prompt_tokens or estimated_tokens,
            context_window=window.window if window else self.deps.context_window,
            cost=None if price is None else price.cost(step),
            turn_cost=None if price is None else price.cost(self.usage),
            session_cost=None if price is None else price.cost(info.usage)))

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
        await self.emit(ToolCallStarted(**self.scope, tool_call_id=call.id, name=call.name,
                                        arguments=call.arguments))
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
            recorded: EditRecord = (self._recorder.fields_for(uri_to_path(outcome.edited_uri))
                                    if self._recorder is not None else {})
            await self.emit(FileEdited(
                **self.scope, tool_call_id=call.id, uri=outcome.edited_uri, diff=outcome.diff,
                applied=outcome.edit_applied, rebased=outcome.edit_rebased,
                message=outcome.edit_message, **recorded))
        shown = outcome.content[:DISPLAY_OUTPUT_CAP]
        await self.emit(ToolCallCompleted(
            **self.scope, tool_call_id=call.id, name=call.name, success=not outcome.is_error,
            duration_ms=duration_ms, output=shown,
            truncated=len(outcome.content) > DISPLAY_OUTPUT_CAP))
        return outcome

    async def _invoke(self, call: ToolCallPart, args_error: str | None) -> ToolOutcome:
        registry = self.deps.tools
        tool = registry.get(call.name)
        if tool is None and call.name == RECALL:
            return recall(self.state.messages, call.arguments)
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
        if tool.needs_permission and (refused := await self._permitted(
                call, tool.describe_call(call.arguments))) is not None:
            return ToolOutcome(refused, is_error=True)
        self._current_call = call
        ctx = ToolContext(
            workspace=self.deps.folder, bridge=self._tool_bridge,
            session_id=self.state.info.id, tool_call_id=call.id,
            emit_output=lambda chunk: self._emit_chunk(call.id, chunk),
            index=self.deps.index, command_timeout=self.deps.settings.command_timeout,
            tool_timeout=self.deps.settings.tool_timeout,
            max_file_bytes=self.deps.settings.max_file_bytes,
            grep_timeout=self.deps.settings.grep_timeout,
        )
        try:
            return await run_tool(tool, call.arguments, ctx)
        except TetherError as exc:
            return ToolOutcome(f"{call.name} failed: {exc.message}", is_error=True)

    async def _emit_chunk(self, tool_call_id: str, text: str) -> None:
        """A tool's output, queued with the session's coalescer like the model's text."""
        self.state.emitter.stream_text(ToolOutputChunk, self.turn_id, tool_call_id, text)

    async def _permitted(self, call: ToolCallPart, description: str) -> str | None:
        """None when the call may run; else the rejection the model reads as its result."""
        settings = self.deps.settings
        if (settings.auto_approve or tool_allowed(call.name, settings.allowed_tools)
                or call.name in self.state.always_allowed):
            return None
        answer = await self._ask(call.id, call.name, description)
        if answer.option == "allow_always":
            self.state.always_allowed.add(call.name)
        return rejection(answer, f"this {call.name} call; it did not run",
                         "Do not retry it; ask the user what they want instead.")

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
        rel = self.deps.folder.relative(edit.path)
        answer = await self._ask(call.id if call is not None else "", tool, f"Edit {rel}",
                                 edit.diff)
        if answer.option == "allow_always":
            self.state.always_allowed.add(EDITS_ALWAYS)
        return rejection(answer, f"this edit to {rel}; it was not applied",
                         "Do not make it again unless they ask for it.")

    async def _ask(self, call_id: str, tool: str, description: str,
                   diff: str | None = None) -> PermissionAnswer:
        """Ask the user about one tool call, with the events around the question (what
        goes to the editor is masked: it leaves outside the events, too)."""
        description, diff = redact(description), redact(diff) if diff is not None else None
        await self.emit(PermissionRequested(**self.scope, tool_call_id=call_id, tool=tool,
                                            description=description, diff=diff))
        answer = answer_of(await self.deps.bridge.request_permission(PermissionRequest(
            session_id=self.state.info.id, tool_call_id=call_id, tool=tool,
            description=description, diff=diff)))
        await self.emit(PermissionResolved(**self.scope, tool_call_id=call_id,
                                           option=answer.option))
        return answer

    async def _heartbeat(self, tool_call_id: str, started: float) -> None:
        while True:
            await asyncio.sleep(self.deps.heartbeat_interval)
            elapsed = int((time.monotonic() - started) * 1000)
            await self.emit(ToolHeartbeat(**self.scope, tool_call_id=tool_call_id,
                                          elapsed_ms=elapsed))

    async def _add_tool_result(self, call: ToolCallPart, content: str, is_error: bool) -> None:
        self._pending.pop(call.id, None)
        result = ToolResultPart(tool_call_id=call.id, content=content, is_error=is_error)
        await self._add_message(
            Message(id=new_id(), role="tool", parts=[result], turn_id=self.turn_id), sync=True)

    async def _add_message(self, message: Message, *, sync: bool = False) -> None:
        message = redact_value(message)  # what the model echoed is not sent on, either
        self.state.messages.append(message)
        await self.emit(MessageAdded(**self.scope, message=message), sync=sync)

    # -- endings ----------------------------------------------------------------------

    async def _step_limit(self, prompt: str) -> TurnResult:
        """Checkpoint what was done and what remains, then end with `step_limit_reached`."""
        steps = self.deps.settings.max_steps
        turn_messages = [m for m in self.state.messages if m.turn_id == self.turn_id]
        fields = checkpoint_fields(turn_messages, prompt)
        record = await self.emit(Checkpoint(**self.scope, steps=steps, **fields), sync=True)
        self.state.context.apply(record)
        return await self._finish("step_limit", StepLimitReached(
            **self.scope, steps=steps,
            reason=f"stopped after {steps} model calls (the step limit); continue "
                   "(tether/session/continue) to resume from the checkpoint"))

    async def _finish(self, status: TurnStatus, ending: TerminalEvent) -> TurnResult:
        """Write the terminal record, once: a cancel that arrives while it is being
        written (fsynced) waits for it instead of writing a second ending."""
        if self._terminal is None:
            self.state.finishing = True  # from here a steer is refused: it starts a new turn
            text = ending.text if isinstance(ending, TurnCompleted) else ""
            self._terminal = asyncio.ensure_future(
                self.emit(ending, sync=True, stored_without=self._said(ending)))
            self._result = TurnResult(
                session_id=self.state.info.id, turn_id=self.turn_id, status=status,
                text=redact(text), usage=self.usage, reason=redact(ending.reason))
        return await self._ending()

    async def _ending(self) -> TurnResult:
        """The turn's one result, once its terminal record is written."""
        assert self._terminal is not None
        terminal = self._terminal
        while not terminal.done():
            try:
                await asyncio.shield(terminal)
            except asyncio.CancelledError:
                continue  # the ending is being written; it stays the one ending
        terminal.result()  # a failed write raises here
        assert self._result is not None
        return self._result

    def _said(self, ending: TerminalEvent) -> tuple[str, ...]:
        """("text",) when the final text is the turn's last assistant message: stored once."""
        if not isinstance(ending, TurnCompleted):
            return ()
        last = next((m for m in reversed(self.state.messages)
                     if m.role == "assistant" and m.turn_id == self.turn_id), None)
        return ("text",) if (last.text if last is not None else "") == ending.text else ()

    async def _failed(self, reason: str, exc: BaseException) -> TurnResult:
        code = int(code_for(exc))
        await self._keep_partial()
        await self.emit(ErrorEvent(**self.scope, message=reason, code=code, fatal=True))
        return await self._finish("failed", TurnFailed(**self.scope, reason=reason, code=code))

    async def _cancelled(self) -> TurnResult:
        """Persist what was said and done, close pending calls, then the terminal event."""
        if self._terminal is not None:  # already ending: that ending stands
            return await self._ending()
        partial = "".join(self._partial.text) if self._partial is not None else ""
        await self._keep_partial()
        for call in list(self._pending.values()):
            if call.id in self._started_tools:
                await self.emit(ToolCallCompleted(**self.scope, tool_call_id=call.id,
                                                  name=call.name, success=False,
                                                  duration_ms=0, output="cancelled"))
            await self._add_tool_result(call, CANCELLED_RESULT, True)
        await self._drain_steer()  # steers taken before the cancel stay in the history
        result = await self._finish("cancelled",
                                    TurnCancelled(**self.scope, reason="cancelled by user"))
        result.text = redact(partial or self._last_text)  # what the user saw so far
        return result

    async def _keep_partial(self) -> None:
        partial, self._partial = self._partial, None
        if partial is not None and (partial.text or partial.reasoning):
            message = partial.to_message(self.turn_id, interrupted=True)
            await self._add_message(message)


def rejection(answer: PermissionAnswer, what: str, advice: str) -> str | None:
    """None when `answer` allows; else what the model reads: the rejection, the user's
    own words when they gave some (one shape for edits, commands and MCP tools)."""
    if answer.option in ("allow_once", "allow_always"):
        return None
    said = f' They said: "{answer.comment}".' if answer.comment else ""
    return f"The user rejected {what}.{said} {advice}"
