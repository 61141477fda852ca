"""The custom `tether/*` requests: parse params, one engine call, map the result or error.

`tether/session/prompt` runs the whole turn. When the client sends `$/cancelRequest` for
it, pygls cancels the handler's task, the engine cancels the turn (emitting
`turn_cancelled`), and the request is answered with a normal result whose `status` is
"cancelled" — cancel is a stop reason, not an error (as in the Agent Client Protocol).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from tether.errors import IndexingError, TetherError
from tether.lsp.change_handlers import register_change_methods
from tether.lsp.errors import to_rpc_error
from tether.lsp.server import TetherServer
from tether.lsp.wire import parse_params
from tether.protocol import methods as m
from tether.protocol.base import WireModel
from tether.protocol.events import SessionEvent, TurnCancelled
from tether.session.mentions import complete as complete_mentions
from tether.settings import DEFAULT_MODELS, Settings
from tether.workspace.folder import path_to_uri

if TYPE_CHECKING:
    from tether.index.hits import FileHit

log = logging.getLogger(__name__)

P = TypeVar("P", bound=WireModel)
READY_TIMEOUT = 10.0  # settings pulled from the editor before the first request runs
FRESH_TIMEOUT = 3.0  # the editor's answer to the re-read before a list, create or prompt


async def reread_settings(server: TetherServer) -> None:
    """Pull the editor's `tether` section again before models are listed or a session is
    created or prompted. A `didChangeConfiguration` may still be in flight when the editor
    asks right after a settings change (VS Code sends both on the same event), so what the
    server listed or sent would be the old model; asking costs one round trip. Clients that
    cannot be asked (push model) keep what they pushed."""
    if not server.capability("workspace.configuration", False):
        return
    try:
        await asyncio.wait_for(server.refresh_settings(), FRESH_TIMEOUT)
    except TimeoutError:
        log.warning("the editor did not answer workspace/configuration; using the last settings")


def register_session_methods(server: TetherServer) -> None:
    folders = server.folders

    def method(name: str, model: type[P]) -> Callable[[Callable[[P], Awaitable[WireModel]]], None]:
        def register(fn: Callable[[P], Awaitable[WireModel]]) -> None:
            async def handler(params: Any) -> Any:
                try:
                    parsed = parse_params(model, params, name)
                    if not server.settings_ready.is_set():
                        try:
                            await asyncio.wait_for(server.settings_ready.wait(), READY_TIMEOUT)
                        except TimeoutError:
                            log.warning("settings not pulled yet; answering %s anyway", name)
                    result = await fn(parsed)
                except TetherError as exc:
                    raise to_rpc_error(exc) from None
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.exception("%s failed", name)
                    raise to_rpc_error(exc) from None
                return result.to_wire()

            handler.__name__ = name.replace("/", "_")
            server.feature(name)(handler)

        return register

    register_change_methods(server, method)

    @method(m.SESSION_CREATE, m.CreateSessionParams)
    async def create(p: m.CreateSessionParams) -> WireModel:
        await reread_settings(server)
        info = await folders.for_folder_uri(p.folder_uri).manager.create(p.title, p.model)
        return m.CreateSessionResult(session_id=info.id, session=info)

    @method(m.SESSION_PROMPT, m.PromptParams)
    async def prompt(p: m.PromptParams) -> WireModel:
        manager = folders.for_session(p.session_id).manager
        await reread_settings(server)
        return await run_turn(p.session_id, manager.prompt(p.session_id, p.text, p.context))

    async def run_turn(session_id: str, turn: Awaitable[m.TurnResult]) -> WireModel:
        p = m.SessionIdParams(session_id=session_id)
        try:
            result = await turn
        except asyncio.CancelledError:
            # $/cancelRequest: the engine has cancelled the turn and emitted its end.
            end = server.last_terminal.get(p.session_id)
            return m.TurnResult(
                session_id=p.session_id,
                turn_id=end.turn_id or "" if end is not None else "",
                status="cancelled",
                reason=end.reason if isinstance(end, TurnCancelled) else "cancelled by client",
            )
        return result

    @method(m.SESSION_CANCEL, m.SessionIdParams)
    async def cancel(p: m.SessionIdParams) -> WireModel:
        cancelled = await folders.for_session(p.session_id).manager.cancel(p.session_id)
        return m.CancelResult(cancelled=cancelled)

    @method(m.SESSION_STEER, m.SteerParams)
    async def steer(p: m.SteerParams) -> WireModel:
        queued = await folders.for_session(p.session_id).manager.steer(p.session_id, p.text)
        return m.SteerResult(queued=queued)

    @method(m.SESSION_LIST, m.ListSessionsParams)
    async def list_sessions(p: m.ListSessionsParams) -> WireModel:
        manager = folders.for_folder_uri(p.folder_uri).manager
        return await manager.list(p.limit, p.cursor, p.query, p.include_archived)

    @method(m.SESSION_SEARCH, m.SearchSessionsParams)
    async def search_sessions(p: m.SearchSessionsParams) -> WireModel:
        manager = folders.for_folder_uri(p.folder_uri).manager
        return await manager.search(p.query, p.limit, p.include_archived)

    @method(m.SESSION_IMPORT_CODEX, m.ImportCodexParams)
    async def import_codex(p: m.ImportCodexParams) -> WireModel:
        return await folders.for_folder_uri(p.folder_uri).manager.import_codex(p.path)

    @method(m.SESSION_ARCHIVE, m.ArchiveParams)
    async def archive(p: m.ArchiveParams) -> WireModel:
        await folders.for_session(p.session_id).manager.archive(p.session_id, p.archived)
        return m.OkResult()

    @method(m.SESSION_LOAD, m.LoadSessionParams)
    async def load(p: m.LoadSessionParams) -> WireModel:
        return await folders.for_session(p.session_id).manager.load(p.session_id, p.tail)

    @method(m.SESSION_REPLAY, m.ReplayParams)
    async def replay(p: m.ReplayParams) -> WireModel:
        manager = folders.for_session(p.session_id).manager
        events: list[SessionEvent] = list(await manager.replay(p.session_id, p.from_seq))
        server.send_replayed(events)
        last = events[-1].seq if events else p.from_seq
        return m.ReplayResult(count=len(events), last_seq=last)

    @method(m.SESSION_DELETE, m.SessionIdParams)
    async def delete(p: m.SessionIdParams) -> WireModel:
        await folders.for_session(p.session_id).manager.delete(p.session_id)
        server.last_terminal.pop(p.session_id, None)
        return m.OkResult()

    @method(m.SESSION_RENAME, m.RenameParams)
    async def rename(p: m.RenameParams) -> WireModel:
        await folders.for_session(p.session_id).manager.rename(p.session_id, p.title)
        return m.OkResult()

    @method(m.SESSION_FORK, m.ForkParams)
    async def fork(p: m.ForkParams) -> WireModel:
        info = await folders.for_session(p.session_id).manager.fork(p.session_id, p.message_id)
        return m.CreateSessionResult(session_id=info.id, session=info)

    @method(m.SESSION_EXPORT, m.ExportParams)
    async def export(p: m.ExportParams) -> WireModel:
        manager = folders.for_session(p.session_id).manager
        return m.ExportResult(content=await manager.export(p.session_id, p.format))

    @method(m.SESSION_PIN, m.PinParams)
    async def pin(p: m.PinParams) -> WireModel:
        pin_id = await folders.for_session(p.session_id).manager.pin(p.session_id, p.text)
        return m.PinResult(pin_id=pin_id)

    @method(m.SESSION_UNPIN, m.UnpinParams)
    async def unpin(p: m.UnpinParams) -> WireModel:
        removed = await folders.for_session(p.session_id).manager.unpin(p.session_id, p.pin_id)
        return m.UnpinResult(removed=removed)

    @method(m.SESSION_CONTINUE, m.SessionIdParams)
    async def continue_turn(p: m.SessionIdParams) -> WireModel:
        manager = folders.for_session(p.session_id).manager
        return await run_turn(p.session_id, manager.continue_turn(p.session_id))

    @method(m.SESSION_CONTEXT, m.SessionIdParams)
    async def context(p: m.SessionIdParams) -> WireModel:
        return await folders.for_session(p.session_id).manager.context(p.session_id)

    @method(m.MODELS_LIST, m.EmptyParams)
    async def models(p: m.EmptyParams) -> WireModel:
        await reread_settings(server)
        listed = models_for(server.base_settings)
        if not server.base_settings.context_window and listed.models:
            from tether.providers.served_window import served_context_window

            served = await served_context_window(server.base_settings)
            if served:  # the window the configured server really serves, not the table's
                listed.models[0] = listed.models[0].model_copy(update={"context_window": served})
        return listed

    @method(m.PROVIDER_CHECK, m.EmptyParams)
    async def provider_check(p: m.EmptyParams) -> WireModel:
        from tether.providers.check import check_provider

        await reread_settings(server)
        found = await check_provider(server.base_settings)
        return m.ProviderCheckResult(
            provider=found.provider, model=found.model, label=found.label, state=found.state,
            message=found.message, fix=found.fix, setting=found.setting)

    @method(m.INDEX_STATUS, m.IndexStatusParams)
    async def index_status(p: m.IndexStatusParams) -> WireModel:
        runtime = folders.for_folder_uri(p.folder_uri)
        if runtime.index is None:
            return m.IndexStatusResult(state="failed", message="the workspace index is not "
                                       "available in this installation")
        status: m.IndexStatusResult = runtime.index.status()
        return status

    @method(m.INDEX_SEARCH, m.IndexSearchParams)
    async def index_search(p: m.IndexSearchParams) -> WireModel:
        runtime = folders.for_folder_uri(p.folder_uri)
        if runtime.index is None:
            raise IndexingError("the workspace index is not available in this installation")
        files = await runtime.index.search_files(p.query, p.limit)
        root = runtime.folder.root
        return m.IndexSearchResult(results=[search_hit(f, path_to_uri(root / f.path))
                                            for f in files])

    @method(m.MCP_STATUS, m.McpStatusParams)
    async def mcp_status(p: m.McpStatusParams) -> WireModel:
        from tether.mcp.hub import process_hub

        if p.folder_uri:
            runtime = folders.for_folder_uri(p.folder_uri)
            servers = runtime.manager.settings.mcp_servers
            return m.McpStatusResult(servers=process_hub().status(servers, runtime.folder.root))
        return m.McpStatusResult(servers=process_hub().status(server.base_settings.mcp_servers,
                                                              None))

    @method(m.MENTION_COMPLETE, m.MentionCompleteParams)
    async def mention_complete(p: m.MentionCompleteParams) -> WireModel:
        runtime = folders.for_folder_uri(p.folder_uri)
        items = await complete_mentions(p.prefix, runtime.folder, runtime.index, p.limit)
        return m.MentionCompleteResult(items=items)


def models_for(settings: Settings) -> m.ModelsListResult:
    """The configured model first, then each provider's default that is reachable as set up."""
    from tether.providers import context_window

    def info(provider: str, name: str) -> m.ModelInfo:
        try:
            window = context_window(name)
        except Exception:
            window = 0
        return m.ModelInfo(id=f"{provider}/{name}", provider=provider, name=name,
                           context_window=window)

    models = [info(settings.provider_kind, settings.resolved_model)]
    reachable = {
        "openai": settings.openai_api_key is not None,
        "anthropic": settings.anthropic_api_key is not None,
        "ollama": True,
    }
    for provider, name in DEFAULT_MODELS.items():
        if reachable.get(provider) and f"{provider}/{name}" != models[0].id:
            models.append(info(provider, name))
    return m.ModelsListResult(models=models, default=settings.model_selector)


def search_hit(found: FileHit, uri: str) -> m.IndexSearchHit:
    """A found file on the wire: its lines, and the best of them flattened for old clients."""
    lines = [m.IndexSearchLine(line=h.line, score=round(h.score, 6), symbol=h.symbol,
                               preview=h.preview) for h in found.lines]
    best = lines[0] if lines else None
    return m.IndexSearchHit(
        path=found.path, uri=uri, score=round(found.score, 6), lines=lines,
        line=best.line if best else None, symbol=best.symbol if best else None,
        preview=best.preview if best else None,
    )
