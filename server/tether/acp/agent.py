"""Tether as an ACP agent: ACP's session methods on top of the same engine as the LSP.

An ACP session is a Tether session: `session/new` creates it in the store of the folder
named by `cwd` (so VS Code, Neovim and `tether sessions` list, resume and search it),
`session/load` opens any stored session of that folder and replays its history. The
handlers stay thin: parse, one engine call, map the result; the event conversion is in
`convert.py`, file and permission traffic in `bridge.py`, the ordered sending in
`updates.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from acp.exceptions import RequestError
from acp.interfaces import Client
from acp.schema import (
    AgentCapabilities,
    AudioContentBlock,
    ClientCapabilities,
    EmbeddedResourceContentBlock,
    ImageContentBlock,
    Implementation,
    InitializeResponse,
    ListSessionsResponse,
    LoadSessionResponse,
    McpCapabilities,
    NewSessionResponse,
    PromptCapabilities,
    PromptResponse,
    ResourceContentBlock,
    SessionCapabilities,
    SessionInfo,
    SessionListCapabilities,
    TextContentBlock,
    TextResourceContents,
)

from tether import __version__
from tether.acp import mcp_seam
from tether.acp.bridge import CURRENT_SESSION
from tether.acp.folders import AcpFolders
from tether.acp.mcp_seam import AcpMcpServers, McpServerConfig, server_configs
from tether.acp.updates import UpdateSender
from tether.errors import TetherError
from tether.protocol.error_codes import ErrorCode, code_for
from tether.protocol.methods import PromptContext
from tether.protocol.models import SessionSummary
from tether.session import SessionManager
from tether.settings import Settings, load_settings
from tether.workspace.folder import WorkspaceFolder, canonical, path_to_uri, uri_to_path

log = logging.getLogger(__name__)

PROTOCOL_VERSION = 1
# JSON-RPC's codes, with the message for the user in `message` (the SDK's helpers put it
# in `data` under a generic message, which clients show as "Invalid params").
INVALID_REQUEST, INVALID_PARAMS, INTERNAL_ERROR = -32600, -32602, -32603
RESOURCE_NOT_FOUND = -32002  # ACP's
STOP_REASONS: dict[str, Literal["end_turn", "cancelled", "max_turn_requests"]] = {
    "completed": "end_turn", "cancelled": "cancelled", "step_limit": "max_turn_requests"}
PromptBlock = (TextContentBlock | ImageContentBlock | AudioContentBlock | ResourceContentBlock
               | EmbeddedResourceContentBlock)


def session_info(row: SessionSummary, root: Path) -> SessionInfo:
    return SessionInfo(session_id=row.id, cwd=row.workspace_folder or str(root),
                       title=row.title or None,
                       updated_at=row.updated_at.isoformat().replace("+00:00", "Z"))


def prompt_text(blocks: list[PromptBlock], folder: WorkspaceFolder) -> tuple[str, PromptContext]:
    """The user's text, and the files the prompt points at as structured context.

    Files of the workspace (links or embedded resources) are attached as files, read
    through the bridge (so the client's buffer text is what the model sees); anything
    else embedded is inlined into the text."""
    texts: list[str] = []
    files: list[str] = []
    for block in blocks:
        if isinstance(block, TextContentBlock):
            texts.append(block.text)
        elif isinstance(block, ResourceContentBlock | EmbeddedResourceContentBlock):
            uri = block.uri if isinstance(block, ResourceContentBlock) else block.resource.uri
            path = _workspace_file(uri, folder)
            if path is not None:
                files.append(path_to_uri(path))
            elif isinstance(block, EmbeddedResourceContentBlock) and isinstance(
                    block.resource, TextResourceContents):
                texts.append(f'<resource uri="{uri}">\n{block.resource.text}\n</resource>')
            else:
                texts.append(f"[{uri}]")
        else:
            raise RequestError(INVALID_PARAMS, f"Tether does not take {block.type} content")
    return "\n".join(texts), PromptContext(extra_file_uris=files)


def _workspace_file(uri: str, folder: WorkspaceFolder) -> Path | None:
    """The file `uri` names when it is inside the folder (file: URIs only)."""
    if not uri.startswith("file:"):
        return None
    path = canonical(uri_to_path(uri))
    return path if folder.contains(path) else None


# Tether's own codes (protocol-spec.md) overlap ACP's (-32002 is ACP's "resource not
# found", Tether's "turn in progress"): ACP clients get ACP's codes, Tether's in `data`.
ACP_CODES = {
    ErrorCode.UNKNOWN_SESSION: RESOURCE_NOT_FOUND,
    ErrorCode.TURN_IN_PROGRESS: INVALID_REQUEST,
    ErrorCode.INVALID_REQUEST: INVALID_REQUEST,
    ErrorCode.INVALID_PARAMS: INVALID_PARAMS,
    ErrorCode.FOLDER_NOT_IN_WORKSPACE: INVALID_PARAMS,
    ErrorCode.PATH_OUTSIDE_WORKSPACE: INVALID_PARAMS,
}


@contextmanager
def tether_errors() -> Iterator[None]:
    """Tether's errors as ACP's JSON-RPC errors, with their message and Tether's code."""
    try:
        yield
    except TetherError as exc:
        code = code_for(exc)
        raise RequestError(ACP_CODES.get(code, INTERNAL_ERROR), exc.message,
                           {**exc.data, "tetherCode": int(code)}) from exc


class TetherAcpAgent:
    """One ACP connection: its client, its sessions, the managers of their folders."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()
        self.client: Client | None = None
        self.sender: UpdateSender | None = None
        self._folders: AcpFolders | None = None  # made at initialize: it needs the caps
        self.mcp_servers: dict[str, list[McpServerConfig]] = {}  # per session, as given

    def on_connect(self, conn: Client) -> None:
        self.client = conn
        self.sender = UpdateSender(conn)

    # -- wiring -----------------------------------------------------------------------

    def _connected(self) -> tuple[Client, UpdateSender]:
        if self.client is None or self.sender is None:
            raise RequestError(INTERNAL_ERROR, "no client connection")
        return self.client, self.sender

    async def _attach_terminal(self, session_id: str, tool_call_id: str, terminal_id: str) -> None:
        _, sender = self._connected()
        converter = sender.converters.get(session_id)
        if converter is not None:
            await sender.flush()  # the tool call is announced before its terminal
            sender.send(session_id, converter.attach_terminal(tool_call_id, terminal_id))

    @property
    def folders(self) -> AcpFolders:
        if self._folders is None:
            raise RequestError(INVALID_REQUEST, "initialize first")
        return self._folders

    def _manager(self, cwd: str) -> SessionManager:
        path = Path(cwd)
        if not path.is_absolute() or not path.is_dir():
            raise RequestError(INVALID_PARAMS, f"cwd {cwd} is not an absolute folder")
        return self.folders.open(WorkspaceFolder.at(path))

    async def _use_mcp(self, session_id: str, manager: SessionManager,
                       servers: AcpMcpServers | None) -> None:
        configs = server_configs(servers)
        self.mcp_servers[session_id] = configs
        if not configs:
            return
        for problem in mcp_seam.attach(session_id, configs):
            log.warning("session %s: %s", session_id, problem)

    def _serving(self, session_id: str) -> SessionManager:
        _, sender = self._connected()
        if session_id not in sender.converters:
            raise RequestError(INVALID_PARAMS,
                               f"session {session_id} is not open: session/new or session/load")
        with tether_errors():  # deleted underneath (another window, the CLI)
            return self.folders.for_session(session_id)

    # -- ACP methods ------------------------------------------------------------------

    async def initialize(self, protocol_version: int,
                         client_capabilities: ClientCapabilities | None = None,
                         client_info: Implementation | None = None,
                         **kwargs: Any) -> InitializeResponse:
        client, sender = self._connected()
        caps = client_capabilities or ClientCapabilities()
        if self._folders is None:
            self._folders = AcpFolders(client, caps, self.settings, sender,
                                       self._attach_terminal)
        return InitializeResponse(
            protocol_version=PROTOCOL_VERSION,
            agent_capabilities=AgentCapabilities(
                load_session=True,
                prompt_capabilities=PromptCapabilities(image=False, audio=False,
                                                       embedded_context=True),
                mcp_capabilities=McpCapabilities(http=True, sse=False),
                session_capabilities=SessionCapabilities(list=SessionListCapabilities()),
            ),
            agent_info=Implementation(name="tether", title="Tether", version=__version__),
            auth_methods=[],
        )

    async def new_session(self, cwd: str, additional_directories: list[str] | None = None,
                          mcp_servers: AcpMcpServers | None = None,
                          **kwargs: Any) -> NewSessionResponse:
        _, sender = self._connected()
        manager = self._manager(cwd)
        with tether_errors():
            info = await manager.create()
        sender.serve(info.id, manager.folder.root)
        await self._use_mcp(info.id, manager, mcp_servers)
        return NewSessionResponse(session_id=info.id)

    async def load_session(self, cwd: str, session_id: str,
                           mcp_servers: AcpMcpServers | None = None,
                           additional_directories: list[str] | None = None,
                           **kwargs: Any) -> LoadSessionResponse:
        client, sender = self._connected()
        manager = self._manager(cwd)
        if not manager.has_session(session_id):
            raise RequestError.resource_not_found(session_id)
        converter = sender.serve(session_id, manager.folder.root)
        converter.replay = True
        try:
            with tether_errors():
                events = await manager.replay(session_id)
            for event in events:
                for update in converter.convert(event):
                    await client.session_update(session_id=session_id, update=update)
        finally:
            converter.replay = False
        await self._use_mcp(session_id, manager, mcp_servers)
        return LoadSessionResponse()

    async def list_sessions(self, cwd: str | None = None, cursor: str | None = None,
                            **kwargs: Any) -> ListSessionsResponse:
        if cwd is not None:
            manager = self._manager(cwd)
            with tether_errors():
                page = await manager.list(cursor=cursor)
            return ListSessionsResponse(
                sessions=[session_info(s, manager.folder.root) for s in page.sessions],
                next_cursor=page.next_cursor)
        found: list[tuple[SessionSummary, Path]] = []
        for manager in self.folders.managers:  # the folders this connection has opened
            with tether_errors():
                page = await manager.list()
            found.extend((s, manager.folder.root) for s in page.sessions)
        found.sort(key=lambda pair: pair[0].updated_at, reverse=True)
        return ListSessionsResponse(sessions=[session_info(s, root) for s, root in found])

    async def prompt(self, session_id: str, prompt: list[PromptBlock],
                     **kwargs: Any) -> PromptResponse:
        _, sender = self._connected()
        manager = self._serving(session_id)
        text, context = prompt_text(prompt, manager.folder)
        token = CURRENT_SESSION.set(session_id)
        try:
            with tether_errors():  # a turn already running, a store error
                result = await manager.prompt(session_id, text, context)
        finally:
            CURRENT_SESSION.reset(token)
        await sender.flush()  # every chunk of the turn reaches the client before its end
        stop = STOP_REASONS.get(result.status)
        if stop is None:  # failed: the history keeps it; the client shows the reason
            raise RequestError(INTERNAL_ERROR, result.reason)
        return PromptResponse(stop_reason=stop)

    async def cancel(self, session_id: str, **kwargs: Any) -> None:
        try:
            manager = self._serving(session_id)
        except (RequestError, TetherError):
            return  # a notification: nothing to answer, nothing to cancel
        await manager.cancel(session_id)

    async def aclose(self) -> None:
        if self._folders is not None:
            await self._folders.aclose()
        await mcp_seam.close()
        if self.sender is not None:
            await self.sender.aclose()
