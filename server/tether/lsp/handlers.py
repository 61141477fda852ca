"""The custom `tether/*` requests: parse params, one engine call, map the result or error.

Each handler is a module-level function recorded in the `rpc` table (`lsp/rpc.py` holds
the table and the wrapper that parses params and maps errors); `change_handlers.py` adds
review and rewind. Importing the two fills the table; `rpc.register` installs it.

`tether/session/prompt` runs the whole turn. When the client sends `$/cancelRequest` for
it, pygls cancels the handler's task, the engine cancels the turn (emitting
`turn_cancelled`), and the request is answered with the turn's own result, whose `status`
is "cancelled" — cancel is a stop reason, not an error (as in the Agent Client Protocol).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Protocol

from tether.errors import IndexingError
from tether.lsp.rpc import rpc
from tether.lsp.server import TetherServer
from tether.protocol import methods as m
from tether.protocol.events import SessionEvent
from tether.session.mentions import complete as complete_mentions
from tether.workspace.folder import path_to_uri

if TYPE_CHECKING:
    from tether.index.hits import FileHit
    from tether.session.manager import SessionManager
    from tether.session.workspaces import Workspace

log = logging.getLogger(__name__)

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


class SessionParams(Protocol):
    session_id: str


def manager_of(server: TetherServer, params: SessionParams) -> SessionManager:
    """The manager of the folder that holds the params' session (SessionNotFound otherwise)."""
    return server.folders.for_session(params.session_id).manager


def workspace_of(server: TetherServer, folder_uri: str) -> Workspace:
    """The open workspace folder the request names (FolderNotInWorkspace otherwise)."""
    return server.folders.for_folder_uri(folder_uri)


async def done(action: Awaitable[object]) -> m.OkResult:
    """`{}` once the action is done: the answer of requests that change without telling."""
    await action
    return m.OkResult()


# -- sessions ------------------------------------------------------------------------------

@rpc(m.SESSION_CREATE, m.CreateSessionParams)
async def create(server: TetherServer, p: m.CreateSessionParams) -> m.CreateSessionResult:
    await reread_settings(server)
    info = await workspace_of(server, p.folder_uri).manager.create(p.title, p.model)
    return m.CreateSessionResult(session_id=info.id, session=info)


@rpc(m.SESSION_LIST, m.ListSessionsParams)
async def list_sessions(server: TetherServer, p: m.ListSessionsParams) -> m.ListSessionsResult:
    manager = workspace_of(server, p.folder_uri).manager
    return await manager.list(p.limit, p.cursor, p.query, p.include_archived)


@rpc(m.SESSION_SEARCH, m.SearchSessionsParams)
async def search_sessions(server: TetherServer, p: m.SearchSessionsParams
                          ) -> m.SearchSessionsResult:
    manager = workspace_of(server, p.folder_uri).manager
    return await manager.search(p.query, p.limit, p.include_archived)


@rpc(m.SESSION_IMPORT_CODEX, m.ImportCodexParams)
async def import_codex(server: TetherServer, p: m.ImportCodexParams) -> m.ImportCodexResult:
    return await workspace_of(server, p.folder_uri).manager.import_codex(p.path)


@rpc(m.SESSION_LOAD, m.LoadSessionParams)
async def load(server: TetherServer, p: m.LoadSessionParams) -> m.LoadSessionResult:
    return await manager_of(server, p).load(p.session_id, p.tail)


@rpc(m.SESSION_REPLAY, m.ReplayParams)
async def replay(server: TetherServer, p: m.ReplayParams) -> m.ReplayResult:
    manager = manager_of(server, p)
    events: list[SessionEvent] = list(await manager.replay(p.session_id, p.from_seq))
    server.send_replayed(events)
    last = events[-1].seq if events else p.from_seq
    return m.ReplayResult(count=len(events), last_seq=last)


@rpc(m.SESSION_ARCHIVE, m.ArchiveParams)
async def archive(server: TetherServer, p: m.ArchiveParams) -> m.OkResult:
    return await done(manager_of(server, p).archive(p.session_id, p.archived))


@rpc(m.SESSION_DELETE, m.SessionIdParams)
async def delete(server: TetherServer, p: m.SessionIdParams) -> m.OkResult:
    return await done(manager_of(server, p).delete(p.session_id))


@rpc(m.SESSION_RENAME, m.RenameParams)
async def rename(server: TetherServer, p: m.RenameParams) -> m.OkResult:
    return await done(manager_of(server, p).rename(p.session_id, p.title))


@rpc(m.SESSION_FORK, m.ForkParams)
async def fork(server: TetherServer, p: m.ForkParams) -> m.CreateSessionResult:
    info = await manager_of(server, p).fork(p.session_id, p.message_id)
    return m.CreateSessionResult(session_id=info.id, session=info)


@rpc(m.SESSION_EXPORT, m.ExportParams)
async def export(server: TetherServer, p: m.ExportParams) -> m.ExportResult:
    return m.ExportResult(content=await manager_of(server, p).export(p.session_id, p.format))


# -- turns ---------------------------------------------------------------------------------

@rpc(m.SESSION_PROMPT, m.PromptParams)
async def prompt(server: TetherServer, p: m.PromptParams) -> m.TurnResult:
    """The turn's result; after `$/cancelRequest` the cancelled turn's own result."""
    manager = manager_of(server, p)
    await reread_settings(server)
    return await manager.prompt(p.session_id, p.text, p.context,
                                client_message_id=p.client_message_id)


@rpc(m.SESSION_CONTINUE, m.SessionIdParams)
async def continue_turn(server: TetherServer, p: m.SessionIdParams) -> m.TurnResult:
    return await manager_of(server, p).continue_turn(p.session_id)


@rpc(m.SESSION_CANCEL, m.SessionIdParams)
async def cancel(server: TetherServer, p: m.SessionIdParams) -> m.CancelResult:
    return m.CancelResult(cancelled=await manager_of(server, p).cancel(p.session_id))


@rpc(m.SESSION_STEER, m.SteerParams)
async def steer(server: TetherServer, p: m.SteerParams) -> m.SteerResult:
    return m.SteerResult(queued=await manager_of(server, p).steer(p.session_id, p.text))


# -- context -------------------------------------------------------------------------------

@rpc(m.SESSION_PIN, m.PinParams)
async def pin(server: TetherServer, p: m.PinParams) -> m.PinResult:
    return m.PinResult(pin_id=await manager_of(server, p).pin(p.session_id, p.text))


@rpc(m.SESSION_UNPIN, m.UnpinParams)
async def unpin(server: TetherServer, p: m.UnpinParams) -> m.UnpinResult:
    return m.UnpinResult(removed=await manager_of(server, p).unpin(p.session_id, p.pin_id))


@rpc(m.SESSION_CONTEXT, m.SessionIdParams)
async def context(server: TetherServer, p: m.SessionIdParams) -> m.ContextResult:
    return await manager_of(server, p).context(p.session_id)


@rpc(m.MENTION_COMPLETE, m.MentionCompleteParams)
async def mention_complete(server: TetherServer, p: m.MentionCompleteParams
                           ) -> m.MentionCompleteResult:
    runtime = workspace_of(server, p.folder_uri)
    items = await complete_mentions(p.prefix, runtime.folder, runtime.index, p.limit)
    return m.MentionCompleteResult(items=items)


# -- models and provider -------------------------------------------------------------------

@rpc(m.MODELS_LIST, m.EmptyParams)
async def models(server: TetherServer, p: m.EmptyParams) -> m.ModelsListResult:
    """The model list; the configured model with the window its server really serves."""
    from tether.providers import list_models
    from tether.providers.served_window import served_context_window

    await reread_settings(server)
    settings = server.base_settings
    listed = list_models(settings)
    if not settings.context_window and (served := await served_context_window(settings)):
        listed.models[0] = listed.models[0].model_copy(update={"context_window": served})
    return listed


@rpc(m.PROVIDER_CHECK, m.EmptyParams)
async def provider_check(server: TetherServer, p: m.EmptyParams) -> m.ProviderCheckResult:
    from tether.providers.check import check_provider

    await reread_settings(server)
    found = await check_provider(server.base_settings)
    return m.ProviderCheckResult(
        provider=found.provider, model=found.model, label=found.label, state=found.state,
        message=found.message, fix=found.fix, setting=found.setting)


# -- index and MCP -------------------------------------------------------------------------

@rpc(m.INDEX_STATUS, m.IndexStatusParams)
async def index_status(server: TetherServer, p: m.IndexStatusParams) -> m.IndexStatusResult:
    runtime = workspace_of(server, p.folder_uri)
    if runtime.index is None:
        return m.IndexStatusResult(state="failed", message="the workspace index is not "
                                   "available in this installation")
    status: m.IndexStatusResult = runtime.index.status()
    return status


@rpc(m.INDEX_SEARCH, m.IndexSearchParams)
async def index_search(server: TetherServer, p: m.IndexSearchParams) -> m.IndexSearchResult:
    runtime = workspace_of(server, p.folder_uri)
    if runtime.index is None:
        raise IndexingError("the workspace index is not available in this installation")
    files = await runtime.index.search_files(p.query, p.limit)
    root = runtime.folder.root
    return m.IndexSearchResult(results=[search_hit(f, path_to_uri(root / f.path))
                                        for f in files])


@rpc(m.MCP_STATUS, m.McpStatusParams)
async def mcp_status(server: TetherServer, p: m.McpStatusParams) -> m.McpStatusResult:
    from tether.mcp.hub import process_hub

    if p.folder_uri:
        runtime = workspace_of(server, p.folder_uri)
        servers = runtime.manager.settings.mcp_servers
        return m.McpStatusResult(servers=process_hub().status(servers, runtime.folder.root))
    return m.McpStatusResult(servers=process_hub().status(server.base_settings.mcp_servers,
                                                          None))


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
