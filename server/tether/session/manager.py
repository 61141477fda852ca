"""All sessions of one workspace folder: the engine's public face.

The manager owns every turn as a task (the supervisor of the style guide): `prompt`
awaits the turn through a shield, so a caller that goes away cancels the turn instead of
orphaning it, and `aclose` cancels and awaits whatever still runs.
"""

from __future__ import annotations

import asyncio
import builtins
import logging
import uuid
from collections.abc import Callable
from contextlib import suppress
from typing import Literal

from tether.errors import InvalidParamsError, SessionNotFoundError, TurnInProgressError
from tether.protocol.events import SessionEvent, TitleChanged, parse_event
from tether.protocol.methods import (
    ListSessionsResult,
    LoadSessionResult,
    PromptContext,
    TurnResult,
)
from tether.protocol.models import SessionInfo
from tether.providers.base import Provider
from tether.session.emitter import EventEmitter, Listener
from tether.session.state import SessionState
from tether.session.title import (
    MAX_TITLE_CHARS,
    clip_text,
    clip_title,
    fallback_title,
    generate_title,
)
from tether.session.turn import TurnDeps, TurnRunner, new_id
from tether.settings import Settings
from tether.store.base import DEFAULT_TAIL, SessionStore
from tether.tools.base import IndexQuery
from tether.tools.registry import ToolRegistry
from tether.workspace.bridge import EditorBridge
from tether.workspace.folder import WorkspaceFolder

log = logging.getLogger(__name__)

ProviderFactory = Callable[[Settings], Provider]
CANCEL_WAIT_SECONDS = 10.0


def _default_provider_factory(settings: Settings) -> Provider:
    from tether.providers import make_provider

    return make_provider(settings)


def _context_window(settings: Settings) -> int:
    if settings.context_window:
        return settings.context_window
    from tether.providers import context_window

    return context_window(settings.resolved_model)


async def _context_window_now(settings: Settings) -> int:
    """The override, else what the provider's server says it serves, else the table."""
    if settings.context_window:
        return settings.context_window
    from tether.providers.served_window import served_context_window

    return await served_context_window(settings) or _context_window(settings)


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
        self._background: set[asyncio.Task[None]] = set()

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
        return info

    async def _state(self, session_id: str) -> SessionState:
        state = self._states.get(session_id)
        if state is not None:
            return state
        async with self._load_lock:
            state = self._states.get(session_id)
            if state is None:
                if not self.store.exists(session_id):
                    raise SessionNotFoundError(f"no session {session_id} in {self.folder.root}")
                loaded = await asyncio.to_thread(self.store.load, session_id, tail=DEFAULT_TAIL)
                state = SessionState(
                    info=loaded.info,
                    messages=loaded.messages,
                    emitter=EventEmitter(session_id, self.store, self._listeners,
                                         last_seq=loaded.last_seq),
                )
                self._states[session_id] = state
        return state

    async def list(
        self, limit: int = 50, cursor: str | None = None, query: str | None = None
    ) -> ListSessionsResult:
        sessions, next_cursor = await asyncio.to_thread(
            self.store.list, limit=limit, cursor=cursor, query=query
        )
        return ListSessionsResult(sessions=sessions, next_cursor=next_cursor)

    async def load(self, session_id: str, tail: int | None = None) -> LoadSessionResult:
        loaded = await asyncio.to_thread(self.store.load, session_id, tail=tail or DEFAULT_TAIL)
        return LoadSessionResult(session=loaded.info, messages=loaded.messages,
                                 truncated=loaded.truncated, last_seq=loaded.last_seq)

    async def replay(self, session_id: str, from_seq: int = 0) -> builtins.list[SessionEvent]:
        if not self.has_session(session_id):
            raise SessionNotFoundError(f"no session {session_id} in {self.folder.root}")
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
        return await asyncio.to_thread(
            self.store.fork, session_id, info, up_to_message_id=message_id
        )

    async def export(self, session_id: str, fmt: Literal["markdown", "json"]) -> str:
        if not self.has_session(session_id):
            raise SessionNotFoundError(f"no session {session_id} in {self.folder.root}")
        return await asyncio.to_thread(self.store.export, session_id, fmt)

    # -- turns ------------------------------------------------------------------------

    async def prompt(
        self, session_id: str, text: str, context: PromptContext | None = None
    ) -> TurnResult:
        state = await self._state(session_id)
        if state.running:
            raise TurnInProgressError(
                f"a turn is already running in session {session_id}; steer or cancel it"
            )
        turn_id = new_id()
        started = asyncio.Event()
        state.turn_id, state.cancelling, state.steer_queue = turn_id, False, []
        task = asyncio.create_task(self._run_turn(state, turn_id, text, context, started))
        state.task = task
        state.started = started
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            # The caller went away ($/cancelRequest, client gone): the turn goes with it.
            await self.cancel(session_id)
            raise

    async def _run_turn(
        self,
        state: SessionState,
        turn_id: str,
        text: str,
        context: PromptContext | None,
        started: asyncio.Event,
    ) -> TurnResult:
        started.set()
        first_turn = not any(m.role == "user" for m in state.messages)
        settings = self._settings_for(state.info)
        if first_turn and not state.info.title:
            await self._set_title(state, fallback_title(text), turn_id)
        runner = TurnRunner(state, TurnDeps(
            folder=self.folder, bridge=self.bridge,
            provider_factory=lambda: self._provider_factory(settings),
            tools=self.tools, settings=settings,
            context_window=await _context_window_now(settings),
            index=self.index, heartbeat_interval=self._heartbeat_interval,
        ), turn_id)
        result = await runner.run(text, context)
        if first_turn and result.status == "completed" and settings.title_generation:
            self._spawn(self._generate_title(state, settings, text, result.text, turn_id))
        return result

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
            task.cancel()
        with suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(asyncio.shield(task), CANCEL_WAIT_SECONDS)
        return True

    async def steer(self, session_id: str, text: str) -> bool:
        state = await self._state(session_id)
        if not state.running or state.cancelling:
            return False
        state.steer_queue.append(text)
        return True

    # -- titles and background work ---------------------------------------------------

    async def _set_title(self, state: SessionState, title: str, turn_id: str | None) -> None:
        title = clip_title(title)  # the cap holds for every title: renamed, derived, generated
        state.info.title = title
        await state.emitter.emit(TitleChanged, turn_id, sync=True, title=title)

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
            await self._set_title(state, title, turn_id)

    def _spawn(self, coro: object) -> None:
        task: asyncio.Task[None] = asyncio.create_task(coro)  # type: ignore[arg-type]
        self._background.add(task)
        task.add_done_callback(self._background_done)

    def _background_done(self, task: asyncio.Task[None]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task failed", exc_info=task.exception())

    async def aclose(self, *, grace: float = 0.0) -> None:
        """Cancel running turns; give background work (titles) `grace` seconds to finish."""
        for session_id, state in list(self._states.items()):
            if state.running:
                await self.cancel(session_id)
        if self._background and grace > 0:
            await asyncio.wait(set(self._background), timeout=grace)
        for task in list(self._background):
            task.cancel()
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
