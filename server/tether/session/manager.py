"""All sessions of one workspace folder: the engine's public face.

The manager owns every turn as a task (the supervisor of the style guide): `prompt`
awaits the turn through a shield, so a caller that goes away cancels the turn instead of
orphaning it, and `aclose` cancels and awaits whatever still runs.

Several processes may hold one session (two editor windows, an editor and `tether
chat`). One of them at a time runs a turn: it holds the session's turn lease for the
whole turn, and a prompt in another process gets TURN_IN_PROGRESS (`data.elsewhere`)
rather than a second, interleaved turn. Before each model request the runner catches up
with what other processes appended, and with `mirror_interval` set (the LSP server sets
it) the manager forwards those records to its clients while they happen. A session
loaded with an unfinished turn and a free lease gets that turn closed. That side lives
in `windows.py`.
"""

from __future__ import annotations

import asyncio
import builtins
import logging
import uuid
from collections.abc import Callable
from contextlib import suppress
from typing import Any, Literal

from tether.errors import (
    InvalidParamsError,
    SessionNotFoundError,
    TetherError,
    TurnInProgressError,
)
from tether.mcp import active_hub
from tether.pricing import cost_of
from tether.protocol.events import (
    ArchiveChanged,
    PinAdded,
    PinRemoved,
    SessionEvent,
    TitleChanged,
    parse_event,
)
from tether.protocol.methods import (
    ChangesListResult,
    ChangesUndoResult,
    CodeBlockApplyResult,
    ContextResult,
    ImportCodexResult,
    ListSessionsResult,
    LoadSessionResult,
    PromptContext,
    RewindResult,
    SearchSessionsResult,
    SessionSearchHit,
    TurnResult,
)
from tether.protocol.models import Message, SessionInfo
from tether.providers.base import Provider
from tether.session.breakdown import context_breakdown
from tether.session.budget import WindowState
from tether.session.changes import ChangeService
from tether.session.checkpoint import resume_prompt
from tether.session.code_blocks import apply_code_block
from tether.session.emitter import EventEmitter, EventScope, Listener
from tether.session.once import built_once
from tether.session.partial import new_id
from tether.session.pins import ContextState
from tether.session.state import SessionState
from tether.session.title import (
    MAX_TITLE_CHARS,
    clip_text,
    clip_title,
    fallback_title,
    generate_title,
)
from tether.session.turn import TurnDeps, TurnRunner
from tether.session.windows import SessionSync
from tether.settings import Settings
from tether.store.base import DEFAULT_TAIL, SessionStore
from tether.store.blobs import BLOBS_DIR, BlobStore
from tether.store.jsonl import JsonlStore
from tether.store.locks import TurnLease
from tether.supervisor import TaskSupervisor
from tether.tools.base import IndexQuery, Tool
from tether.tools.registry import ToolRegistry
from tether.workspace.bridge import EditorBridge
from tether.workspace.folder import WorkspaceFolder, uri_to_path

log = logging.getLogger(__name__)

ProviderFactory = Callable[[Settings], Provider]
CANCEL_WAIT_SECONDS = 10.0


def _default_provider_factory(settings: Settings) -> Provider:
    from tether.providers import make_provider

    return make_provider(settings)


def _table_window(settings: Settings) -> int:
    from tether.providers import effective_context_window

    return effective_context_window(settings)


async def _served_window(settings: Settings) -> int | None:
    from tether.providers.served_window import served_context_window

    return await served_context_window(settings)


def _running_here(session_id: str) -> TurnInProgressError:
    return TurnInProgressError(
        f"a turn is already running in session {session_id}; steer or cancel it",
        data={"sessionId": session_id, "elsewhere": False},
    )


class SessionManager:
    def __init__(
        self,
        folder: WorkspaceFolder,
        *,
        store: SessionStore,
        settings: Settings,
        bridge: EditorBridge,
        index: IndexQuery | None = None,
        provider_factory: ProviderFactory | None = None,
        tools: ToolRegistry | None = None,
        heartbeat_interval: float = 10.0,
        mirror_interval: float | None = None,
        blobs: BlobStore | None = None,
    ) -> None:
        self.folder = folder
        self.settings = settings
        self.store = store
        self.bridge = bridge
        self.index = index
        self._provider_factory = provider_factory or _default_provider_factory
        self._tools = tools
        self._heartbeat_interval = heartbeat_interval
        self._listeners: list[Listener] = []
        self._states: dict[str, SessionState] = {}
        self._load_lock = asyncio.Lock()
        self._background = TaskSupervisor(folder.name, logger=log)  # titles
        self._windows: dict[tuple[str, str, str, str, int], WindowState] = {}
        if blobs is None and isinstance(store, JsonlStore):
            blobs = BlobStore(store.base / BLOBS_DIR)  # beside the sessions it serves
        self.blobs = blobs
        self.changes = ChangeService(folder, store, blobs, bridge,
                                     max_blob_bytes=lambda: self.settings.max_blob_bytes,
                                     catch_up=lambda state: self._sync.catch_up(state))
        self._sync = SessionSync(store, self._states, new_id, mirror_interval,
                                 follow=self.changes.follow)

    # -- wiring -----------------------------------------------------------------------

    def update_settings(self, settings: Settings) -> None:
        self.settings = settings

    def subscribe(self, listener: Callable[[SessionEvent], None]) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            with suppress(ValueError):
                self._listeners.remove(listener)

        return unsubscribe

    def has_session(self, session_id: str) -> bool:
        return session_id in self._states or self.store.exists(session_id)

    def running_turn(self, session_id: str) -> str | None:
        state = self._states.get(session_id)
        return state.turn_id if state is not None and state.running else None

    @property
    def tools(self) -> ToolRegistry:
        if self._tools is None:
            self._tools = ToolRegistry()
        return self._tools

    # -- sessions ---------------------------------------------------------------------

    async def create(self, title: str | None = None, model: str | None = None) -> SessionInfo:
        info = SessionInfo(
            id=str(uuid.uuid4()),
            title=clip_title(title or ""),
            workspace_folder=str(self.folder.root),
            model=model or self.settings.model_selector,
        )
        await asyncio.to_thread(self.store.create, info)
        self._states[info.id] = SessionState(
            info=info, messages=[], emitter=EventEmitter(info.id, self.store, self._listeners)
        )
        self._sync.start_mirror()
        return info

    async def _state(self, session_id: str) -> SessionState:
        return await built_once(self._states, session_id, self._load_lock,
                                lambda: self._load(session_id))

    async def _load(self, session_id: str) -> SessionState:
        if not self.store.exists(session_id):
            raise SessionNotFoundError(f"no session {session_id} in {self.folder.root}")
        loaded = await asyncio.to_thread(self.store.load, session_id, tail=DEFAULT_TAIL)
        records = await asyncio.to_thread(self.store.context_records, session_id)
        messages = loaded.messages
        if loaded.truncated:
            # The tail may start inside a tool exchange: its call was cut off.
            while messages and messages[0].role == "tool":
                messages.pop(0)
        state = SessionState(
            info=loaded.info,
            messages=messages,
            emitter=EventEmitter(session_id, self.store, self._listeners,
                                 last_seq=loaded.last_seq, offset=loaded.size),
            context=_context_of(records, messages),
        )
        await self._sync.recover(state)
        # Estimate every loaded message (and its stub) now, off the event loop: a
        # long session's first request then derives its view warm.
        await asyncio.to_thread(state.context.cache.prepare, state.messages)
        self._sync.start_mirror()  # its first look comes after the state is kept
        return state

    async def list(
        self, limit: int = 50, cursor: str | None = None, query: str | None = None,
        include_archived: bool = False,
    ) -> ListSessionsResult:
        sessions, next_cursor = await asyncio.to_thread(
            self.store.list, limit=limit, cursor=cursor, query=query,
            include_archived=include_archived,
        )
        prices = self.settings.prices
        priced = [s.model_copy(update={"cost": cost_of(s.model, s.usage, prices)})
                  for s in sessions]
        return ListSessionsResult(sessions=priced, next_cursor=next_cursor)

    async def search(self, query: str, limit: int = 20, include_archived: bool = False
                     ) -> SearchSessionsResult:
        hits = await asyncio.to_thread(self.store.search, query, limit=limit,
                                       include_archived=include_archived)
        return SearchSessionsResult(hits=[SessionSearchHit(
            session_id=h.session_id, title=h.title, snippet=h.snippet,
            highlights=[list(r) for r in h.highlights], kind=h.kind, archived=h.archived)
            for h in hits])

    async def import_codex(self, path: str | None = None) -> ImportCodexResult:
        """Codex CLI rollouts that ran in this folder, as sessions (again: no copies)."""
        from pathlib import Path

        from tether.store.codex import find_rollouts, import_rollouts

        def run() -> ImportCodexResult:
            rollouts = find_rollouts(Path(path).expanduser() if path else None)
            report = import_rollouts(self.store, self.folder.root, rollouts)
            return ImportCodexResult(imported=report.imported, skipped=report.skipped,
                                     problems=report.problems)

        return await asyncio.to_thread(run)

    async def archive(self, session_id: str, archived: bool = True) -> None:
        """Hide the session from the default list (kept on disk), or show it again."""
        state = await self._state(session_id)
        await state.emitter.emit(ArchiveChanged(**state.emitter.scope(None), archived=archived),
                                 sync=True)

    async def load(self, session_id: str, tail: int | None = None) -> LoadSessionResult:
        state = await self._state(session_id)  # closes a turn a crashed process left open
        await self._sync.catch_up(state)  # another window's rewind counts in rewoundTurnIds
        loaded = await asyncio.to_thread(self.store.load, session_id, tail=tail or DEFAULT_TAIL)
        rewound = (await self.changes.ledger(session_id)).rewound
        return LoadSessionResult(session=loaded.info, messages=loaded.messages,
                                 truncated=loaded.truncated, last_seq=loaded.last_seq,
                                 rewound_turn_ids=sorted(rewound))

    async def replay(self, session_id: str, from_seq: int = 0) -> builtins.list[SessionEvent]:
        await self._state(session_id)
        records = await asyncio.to_thread(
            lambda: list(self.store.iter_records(session_id, from_seq=from_seq))
        )
        events: builtins.list[SessionEvent] = []
        for record in records:
            try:
                events.append(parse_event(record))
            except ValueError:
                continue  # a record type this version does not know: kept on disk, not sent
        return events

    async def delete(self, session_id: str) -> None:
        if session_id in self._states:
            await self.cancel(session_id)
        await asyncio.to_thread(self.store.delete, session_id)
        self._states.pop(session_id, None)
        self.changes.forget(session_id)
        if self.blobs is not None:  # its snapshots go with it (those no fork shares)
            await asyncio.to_thread(self.blobs.release, session_id)

    async def rename(self, session_id: str, title: str) -> str:
        """Set the title; returns it as stored (one line, at most MAX_TITLE_CHARS)."""
        if not clip_title(title):
            raise InvalidParamsError("a title needs at least one visible character")
        state = await self._state(session_id)
        await self._set_title(state, title, state.turn_id if state.running else None)
        return state.info.title

    async def fork(self, session_id: str, message_id: str | None = None) -> SessionInfo:
        state = await self._state(session_id)
        parent = state.info
        info = SessionInfo(
            id=str(uuid.uuid4()),
            title=f"{clip_text(parent.title or 'Session', MAX_TITLE_CHARS - 7)} (fork)",
            workspace_folder=parent.workspace_folder,
            model=parent.model,
            agent=parent.agent,
            forked_from=parent.id,
        )
        forked = await asyncio.to_thread(
            self.store.fork, session_id, info, up_to_message_id=message_id
        )
        if self.blobs is not None:
            await asyncio.to_thread(self.blobs.copy_refs, session_id, forked.id)
        return forked

    async def export(self, session_id: str, fmt: Literal["markdown", "json"]) -> str:
        if not self.has_session(session_id):
            raise SessionNotFoundError(f"no session {session_id} in {self.folder.root}")
        return await asyncio.to_thread(self.store.export, session_id, fmt)

    # -- change sets ------------------------------------------------------------------

    async def list_changes(self, session_id: str, turn_id: str | None) -> ChangesListResult:
        await self._sync.catch_up(await self._state(session_id))  # other windows' undos
        return await self.changes.list(session_id, turn_id)

    async def undo_changes(self, session_id: str, turn_id: str, path: str | None,
                           hunk: str | None) -> ChangesUndoResult:
        return await self.changes.undo(await self._state(session_id), turn_id, path, hunk)

    async def rewind(self, session_id: str, turn_id: str) -> RewindResult:
        """Rewind while holding the turn lease: no turn runs meanwhile, here or in
        another window (whose running turn would otherwise be rewound under it)."""
        state = await self._state(session_id)
        lease = await self._new_turn_lease(state)
        try:
            return await self.changes.rewind(state, turn_id)
        finally:
            lease.release()

    async def apply_code_block(self, session_id: str, target: str, code: str,
                               version: int | None) -> CodeBlockApplyResult:
        """A chat code block into `target` (file:// URI or relative path), as an edit."""
        state = await self._state(session_id)
        if not target.startswith("file:") and ":" in target.split("/", 1)[0]:
            raise InvalidParamsError(f"{target} is not a file: give a file:// URI or a path "
                                     "relative to the workspace folder")
        raw = uri_to_path(target) if target.startswith("file:") else target
        if "\x00" in str(raw):
            raise InvalidParamsError(f"{target!r} contains a NUL character: not a file name")
        path = self.folder.resolve(raw)
        return await apply_code_block(self.changes, state, path, code, version,
                                      max_bytes=self.settings.max_file_bytes)

    # -- turns ------------------------------------------------------------------------

    async def prompt(
        self, session_id: str, text: str, context: PromptContext | None = None, *,
        client_message_id: str | None = None,
    ) -> TurnResult:
        """Run one turn and return how it ended. A caller that goes away ($/cancelRequest,
        a cancelled task) cancels the turn and gets the turn's own cancelled result: its
        real id, reason, usage. `client_message_id` is echoed on `turn_started`."""
        state = await self._state(session_id)
        lease = await self._new_turn_lease(state)
        task = self._start_turn(state, text, context, lease, client_message_id)
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            # The caller went away ($/cancelRequest, client gone): the turn goes with it,
            # and how it ended is the answer (a turn already writing its end keeps it).
            await self.cancel(session_id)
            if not task.done() or task.cancelled() or task.exception() is not None:
                raise
            return task.result()

    async def _new_turn_lease(self, state: SessionState) -> TurnLease:
        """The session's turn lease for a new turn; TurnInProgress while a turn runs here
        or in another process. Nothing awaits between the last check and the return, so
        the caller starts its turn before anyone else can look."""
        session_id = state.info.id
        task = state.task
        if task is not None and not task.done() and state.finishing:
            await asyncio.wait({task})  # a late steer's prompt: the turn is writing its end
        if state.running:
            raise _running_here(session_id)
        lease = self.store.turn_lease(session_id)  # no await since the check above
        if lease is None:
            lease = await self._sync.lease_of_ended_turn(session_id)
            if lease is not None and state.running:  # a prompt here started meanwhile
                lease.release()
                raise _running_here(session_id)
        if lease is None:
            raise TurnInProgressError(
                f"a turn is running in session {session_id} in another Tether process "
                "(another editor window or `tether chat`); wait for it to end or stop it there",
                data={"sessionId": session_id, "elsewhere": True},
            )
        return lease

    def _start_turn(self, state: SessionState, text: str, context: PromptContext | None,
                    lease: TurnLease, client_message_id: str | None = None
                    ) -> asyncio.Task[TurnResult]:
        """The turn's task; it owns `lease` and releases (or hands it on) when it ends."""
        turn_id = new_id()
        started = asyncio.Event()
        state.turn_id, state.cancelling, state.finishing = turn_id, False, False
        state.steer_queue = []
        task = asyncio.create_task(self._run_turn(state, turn_id, text, context, started,
                                                  lease, client_message_id))
        state.task = task
        state.started = started
        return task

    async def _run_turn(
        self,
        state: SessionState,
        turn_id: str,
        text: str,
        context: PromptContext | None,
        started: asyncio.Event,
        lease: TurnLease,
        client_message_id: str | None,
    ) -> TurnResult:
        handed_on = False
        try:
            try:
                await self._sync.close_interrupted(state)
            except TetherError as exc:
                log.warning("session %s: cannot check the previous turn: %s",
                            state.info.id, exc.message)
            result = await self._turn(state, turn_id, text, context, started,
                                      client_message_id)
            leftover, state.steer_queue = state.steer_queue, []
            if leftover and result.status != "cancelled":
                # steered too late for this turn (step limit, failure): the next one takes it
                self._start_turn(state, "\n\n".join(leftover), None, lease)
                handed_on = True
            return result
        finally:
            started.set()  # never left unset: cancel() waits for it
            if not handed_on:
                lease.release()

    async def _turn(self, state: SessionState, turn_id: str, text: str,
                    context: PromptContext | None, started: asyncio.Event,
                    client_message_id: str | None) -> TurnResult:
        first_turn = not any(m.role == "user" for m in state.messages)
        settings = self._settings_for(state.info)
        await self._set_window(state, settings)
        if first_turn and not state.info.title:
            await self._set_title(state, fallback_title(text), turn_id)
        runner = TurnRunner(state, TurnDeps(
            folder=self.folder, bridge=self.bridge,
            provider_factory=lambda: self._provider_factory(settings),
            tools=self.tools, settings=settings,
            extra_tools=lambda: self._mcp_tools(state, settings),
            context_window=_table_window(settings),
            index=self.index, heartbeat_interval=self._heartbeat_interval,
            before_request=lambda: self._sync.catch_up(state), started=started,
            changes=self.changes, ledger=await self.changes.ledger(state.info.id),
        ), turn_id)
        result = await runner.run(text, context, client_message_id)
        if first_turn and result.status == "completed" and settings.title_generation:
            self._background.spawn(
                self._generate_title(state, settings, text, result.text, turn_id),
                f"title of {state.info.id}")
        return result

    async def _set_window(self, state: SessionState, settings: Settings) -> None:
        """The window the session budgets for: setting, server report, table, in that order;
        a smaller one a provider named in an error is kept."""
        key = (settings.provider, settings.openai_base_url, settings.ollama_host,
               settings.resolved_model, settings.context_window or 0)
        window = self._windows.get(key)
        if window is None:
            if settings.context_window:
                window = WindowState(settings.context_window, source="setting")
            elif (found := await _served_window(settings)) is not None:
                window = WindowState(found, source="server")
            else:
                window = WindowState(_table_window(settings), source="table")
            self._windows[key] = window
        state.context.window = window

    async def _mcp_tools(self, state: SessionState, settings: Settings) -> builtins.list[Tool]:
        """The MCP servers' tools for a turn (servers start here, on first need)."""
        hub = active_hub(settings.mcp_servers, self.folder.root)
        if hub is None:
            return []
        return await hub.tools_for(user_servers=settings.mcp_servers, folder=self.folder.root,
                                   bridge=self.bridge, session_id=state.info.id)

    def _settings_for(self, info: SessionInfo) -> Settings:
        """The session keeps the model it was created with while the provider is the same."""
        kind, _, name = info.model.partition("/")
        settings = self.settings
        if name and kind == settings.provider_kind and name != settings.resolved_model:
            settings = settings.model_copy(update={"model": name})
        return settings

    async def cancel(self, session_id: str) -> bool:
        state = self._states.get(session_id)
        if state is None:
            if not self.store.exists(session_id):
                raise SessionNotFoundError(f"no session {session_id} in {self.folder.root}")
            return False
        task = state.task
        if task is None or task.done():
            return False
        await state.started.wait()  # a task cancelled before it runs would skip its cleanup
        if not state.cancelling:
            state.cancelling = True
            if not state.finishing:  # a turn writing its end keeps that end
                task.cancel()
        with suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(asyncio.shield(task), CANCEL_WAIT_SECONDS)
        return True

    async def steer(self, session_id: str, text: str) -> bool:
        state = await self._state(session_id)
        if not state.running or state.cancelling or state.finishing:
            return False  # not taken: the client sends it as the next prompt
        state.steer_queue.append(text)
        return True

    # -- context: pins, continue, inspection --------------------------------------------

    async def pin(self, session_id: str, text: str) -> str:
        state = await self._state(session_id)
        pin_id = f"pin-{uuid.uuid4().hex[:8]}"
        record = await state.emitter.emit(PinAdded(**_scope(state), pin_id=pin_id, text=text),
                                          sync=True)
        state.context.apply(record)
        return pin_id

    async def unpin(self, session_id: str, pin_id: str) -> bool:
        state = await self._state(session_id)
        if pin_id not in state.context.pins:
            return False
        record = await state.emitter.emit(PinRemoved(**_scope(state), pin_id=pin_id),
                                          sync=True)
        state.context.apply(record)
        return True

    async def continue_turn(self, session_id: str) -> TurnResult:
        """A new turn resuming the last step-limit checkpoint."""
        state = await self._state(session_id)
        checkpoint = state.context.checkpoint
        if checkpoint is None:
            raise InvalidParamsError(
                f"session {session_id} has nothing to continue: its last turn did not stop "
                "at the step limit", data={"sessionId": session_id},
            )
        text = resume_prompt(checkpoint.task, checkpoint.done, checkpoint.remaining,
                             checkpoint.steps)
        return await self.prompt(session_id, text)

    async def context(self, session_id: str) -> ContextResult:
        state = await self._state(session_id)
        settings = self._settings_for(state.info)
        await self._set_window(state, settings)
        return await context_breakdown(state, settings, folder=self.folder, bridge=self.bridge,
                                       tools=self.tools, index=self.index)

    # -- titles and background work ---------------------------------------------------

    async def _set_title(self, state: SessionState, title: str, turn_id: str | None) -> None:
        title = clip_title(title)  # the cap holds for every title: renamed, derived, generated
        state.info.title = title
        await state.emitter.emit(TitleChanged(**state.emitter.scope(turn_id), title=title),
                                 sync=True)

    async def _generate_title(
        self, state: SessionState, settings: Settings, user_text: str, answer: str, turn_id: str
    ) -> None:
        automatic = state.info.title  # a rename while the model thinks wins over its title
        provider = self._provider_factory(settings)
        try:
            title = await generate_title(provider, settings.resolved_model, user_text, answer)
        finally:
            await provider.aclose()
        if (title and state.info.title == automatic and title != automatic
                and state.info.id in self._states):
            # Not while another window runs a turn: its streamed seqs are not on disk yet.
            lease = None if state.running else self.store.turn_lease(state.info.id)
            if lease is None and not state.running:
                log.info("session %s: title left as it is, a turn runs elsewhere", state.info.id)
                return
            try:
                await self._set_title(state, title, turn_id)
            finally:
                if lease is not None:
                    lease.release()

    async def aclose(self, *, grace: float = 0.0) -> None:
        """Cancel running turns; give background work (titles) `grace` seconds to finish."""
        for session_id, state in list(self._states.items()):
            if state.running:
                await self.cancel(session_id)
        await self._background.settle(grace)
        await self._background.aclose()
        await self._sync.aclose()


def _scope(state: SessionState) -> EventScope:
    """The scope of an event the user causes: the running turn's, if one runs."""
    return state.emitter.scope(state.turn_id if state.running else None)


def _context_of(records: builtins.list[dict[str, Any]], messages: builtins.list[Message]
                ) -> ContextState:
    """The context state of a loaded session; a checkpoint counts only if its turn was the
    last one (a later prompt supersedes it)."""
    context = ContextState.from_records(records)
    if messages:
        context.note_task(messages[0])
    checkpoint = context.checkpoint
    if checkpoint is not None and messages and messages[-1].turn_id != checkpoint.turn_id:
        context.checkpoint = None
    return context
