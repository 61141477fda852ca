"""The Tether language server: pygls wiring, client capabilities, settings, events out.

Handlers stay thin (see `handlers.py` for the custom methods and `documents.py` for text
sync); this module owns the server object and what every handler shares: the document
overlay, the workspace folders with their session managers and indexes, the settings
pulled from the editor, and the stream of session events to the client.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import sys
import threading
import uuid
from concurrent.futures import Future
from pathlib import Path
from typing import Any, BinaryIO

from lsprotocol import types
from pydantic_core import PydanticSerializationError, to_json
from pygls.capabilities import get_capability
from pygls.exceptions import FeatureRequestError, JsonRpcException
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, default_converter
from pygls.protocol.language_server import lsp_method

from tether import PROTOCOL_VERSION, __version__
from tether.lsp.auth import Refusal, admit, forget_token
from tether.lsp.folders import IndexFactory, StoreFactory, open_lsp_folder
from tether.lsp.framing import FramingError, StdinReader, send_serialized, serve_stream
from tether.lsp.index_feeder import IndexFeeder
from tether.lsp.wire import plain
from tether.protocol.events import EventBase, SessionEvent
from tether.protocol.methods import (
    METHOD_PARAMS,
    PERMISSION_REQUEST,
    SESSION_EVENT,
    PermissionRequestParams,
    TetherClientCapabilities,
    TetherServerCapabilities,
)
from tether.redaction import redact
from tether.session.workspaces import Workspace, Workspaces, open_index
from tether.settings import Settings, load_settings, remote_safe
from tether.store import open_store
from tether.supervisor import TaskSupervisor
from tether.workspace.folder import WorkspaceFolder, canonical, uri_to_path
from tether.workspace.overlay import DocumentOverlay, Encoding

log = logging.getLogger(__name__)

FRAMING_EXIT_STATUS = 2
CLIENT_METHODS = {PERMISSION_REQUEST, SESSION_EVENT}
SERVED_METHODS = sorted(m for m in METHOD_PARAMS if m not in CLIENT_METHODS)


class TetherProtocol(LanguageServerProtocol):
    """pygls' protocol plus Tether's capabilities and answers to unparseable requests.

    On a remote connection it also holds the door: with `required_token` set (TCP), only
    an `initialize` carrying the token is let in, anything else is answered with an
    error and the connection closed; and `exit` closes this connection, not the process.
    """

    _server: TetherServer
    required_token: str | None = None
    _admitted = False
    _closed = False
    _close_task: asyncio.Future[Any] | None = None

    def handle_message(self, message: Any) -> None:
        if self._closed:
            return
        if self.required_token is not None and not self._admitted:
            refusal = admit(getattr(message, "method", None), getattr(message, "id", None),
                            getattr(message, "params", None), self.required_token)
            if refusal is not None:
                self._refuse(refusal)
                return
            self._admitted = True
            forget_token(getattr(message, "params", None))
        super().handle_message(message)

    def _refuse(self, refusal: Refusal) -> None:
        log.warning("remote client refused: %s", refusal.message)
        if refusal.msg_id is not None:
            self._send_response(refusal.msg_id, error=types.ResponseError(
                code=refusal.code, message=refusal.message))
        self.close_connection()

    def close_connection(self) -> None:
        """Close this client's transport (what was written is flushed first)."""
        if self._closed or self.writer is None:
            return
        self._closed = True
        result = self.writer.close()
        if inspect.isawaitable(result):  # WebSocket: the close handshake
            self._close_task = asyncio.ensure_future(result)

    @lsp_method(types.EXIT)
    def lsp_exit(self, *args: Any) -> Any:
        if not self._server.remote:  # stdio: the editor's `exit` ends the process
            return (yield from super().lsp_exit(*args))
        if (user_handler := self.fm.features.get(types.EXIT)) is not None:
            yield user_handler, args, None
        self.close_connection()  # other clients of this server carry on
        return None

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams) -> Any:
        result = yield from super().lsp_initialize(params)
        caps = TetherServerCapabilities(
            protocol_version=PROTOCOL_VERSION, server_version=__version__, methods=SERVED_METHODS
        )
        experimental = result.capabilities.experimental
        extra = experimental if isinstance(experimental, dict) else {}
        result.capabilities.experimental = {**extra, "tether": caps.to_wire()}
        return result

    def structure_message(self, data: dict[str, Any]) -> Any:
        """Decode a message; a request that cannot be decoded still gets an error answer.

        pygls raises out of the JSON decoder for those, which logs but never answers the
        request: the client would wait forever.
        """
        method = data.get("method")
        if "jsonrpc" in data and isinstance(method, str) and "params" not in data \
                and self.get_message_type(method) is None:
            data = {**data, "params": None}  # params are optional in JSON-RPC
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            msg_id = data.get("id")
            if "jsonrpc" in data and isinstance(method, str) and isinstance(msg_id, int | str):
                error = types.ResponseError(
                    code=exc.code, message=f"cannot decode {method} request: {exc.message}"
                )
                self._send_response(msg_id, error=error)
            if self.required_token is not None and not self._admitted:
                self.close_connection()  # nothing undecodable gets in before the token
            raise


class LspClient:
    """The `EditorClient` of the bridges: requests to the editor over this connection."""

    def __init__(self, server: TetherServer) -> None:
        self._server = server

    @property
    def tether_permissions(self) -> bool:
        return self._server.client_tether.permissions

    @property
    def document_changes(self) -> bool:
        # Resource operations only exist inside documentChanges, so a client listing them
        # handles documentChanges even when it does not say so (Neovim 0.11).
        return bool(self._server.capability("workspace.workspace_edit.document_changes")) \
            or bool(self._server.capability("workspace.workspace_edit.resource_operations"))

    @property
    def create_files(self) -> bool:
        ops = self._server.capability("workspace.workspace_edit.resource_operations") or []
        return types.ResourceOperationKind.Create in ops

    @property
    def apply_edits(self) -> bool:
        return bool(self._server.capability("workspace.apply_edit", False))

    async def apply_edit(
        self, edit: types.WorkspaceEdit, label: str
    ) -> types.ApplyWorkspaceEditResult:
        params = types.ApplyWorkspaceEditParams(edit=edit, label=label)
        result = await self.request(types.WORKSPACE_APPLY_EDIT, params)
        if isinstance(result, types.ApplyWorkspaceEditResult):
            return result
        data = plain(result) or {}
        return types.ApplyWorkspaceEditResult(
            applied=bool(data.get("applied")), failure_reason=data.get("failureReason")
        )

    async def permission_request(self, params: PermissionRequestParams) -> Any:
        return await self.request(PERMISSION_REQUEST, params.to_wire())

    async def show_message_request(self, message: str, actions: list[str]) -> str | None:
        params = types.ShowMessageRequestParams(
            type=types.MessageType.Warning,
            message=message,
            actions=[types.MessageActionItem(title=a) for a in actions],
        )
        result = await self.request(types.WINDOW_SHOW_MESSAGE_REQUEST, params)
        if result is None:
            return None
        title = getattr(result, "title", None)
        if title is None and isinstance(result, dict):
            title = result.get("title")
        return title if isinstance(title, str) else None

    async def request(self, method: str, params: Any) -> Any:
        """Send a request; when the caller is cancelled, tell the editor with $/cancelRequest.

        The pygls future is shielded: cancelling it would make the late answer crash the
        reader loop (set_result on a cancelled future).
        """
        protocol = self._server.protocol
        msg_id = str(uuid.uuid4())
        future: Future[Any] = protocol.send_request(method, params, msg_id=msg_id)
        waiter = asyncio.wrap_future(future)
        waiter.add_done_callback(_consume)
        try:
            return await asyncio.shield(waiter)
        except asyncio.CancelledError:
            protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
            raise


def _consume(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()  # an answer nobody waits for any more is not an error


class TetherServer(LanguageServer):
    protocol: TetherProtocol

    def __init__(
        self,
        *,
        store_factory: StoreFactory | None = None,
        index_factory: IndexFactory | None = None,
        remote: bool = False,
    ) -> None:
        super().__init__(
            "tether",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=TetherProtocol,
            converter_factory=default_converter,
        )
        # Remote (TCP/WebSocket) clients may not set what exfiltrates or escalates.
        self.remote = remote
        self.overlay = DocumentOverlay()
        self.client_tether = TetherClientCapabilities()
        self.base_settings: Settings = Settings()
        self.folder_settings: dict[Path, Settings] = {}
        self.settings_ready = asyncio.Event()
        self.background = TaskSupervisor("lsp")  # lifecycle's work (settings, watcher, ...)
        self._closing: asyncio.Task[None] | None = None
        self._reported: set[str] = set()
        self._store_factory = store_factory or open_store
        self._index_factory = index_factory or open_index
        self.editor = LspClient(self)
        self.folders = Workspaces(self._open_folder)
        self.index_feeder = IndexFeeder(self.folders, self.overlay)

    def _open_folder(self, folder: WorkspaceFolder) -> Workspace:
        return open_lsp_folder(
            folder, client=self.editor, overlay=self.overlay,
            settings=self.settings_for(folder), on_event=self._on_event,
            on_edited=self.index_feeder.agent_edited,
            store_factory=self._store_factory, index_factory=self._index_factory,
        )

    async def aclose(self) -> None:
        """Stop this client's work: background tasks, turns, indexes. Safe to call twice.

        `shutdown` calls it; so does a remote connection that ends without one.
        """
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._close())
        await asyncio.shield(self._closing)

    async def _close(self) -> None:
        await self.background.aclose()
        await self.folders.aclose()
        hub = sys.modules.get("tether.mcp.hub")
        if hub is not None and not self.remote:  # stdio: this client is the process's only
            await hub.close_process_hub()

    # -- transport ----------------------------------------------------------------------

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve over stdio; garbled framing ends the process with status 2 and one log line,
        so the editor restarts the server instead of talking to one that no longer listens."""
        self._stop_event = stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        reader = StdinReader(stdin or sys.stdin.buffer)
        try:
            asyncio.run(serve_stream(stop_event, reader, self.protocol,
                                     error_handler=self.report_server_error))
        except FramingError as exc:
            log.error("LSP framing error on stdin, exiting with status %d so the editor "
                      "can restart the server: %s", FRAMING_EXIT_STATUS, exc)
            raise SystemExit(FRAMING_EXIT_STATUS) from None
        except BrokenPipeError:
            log.error("the connection to the editor is lost; shutting down")
        except KeyboardInterrupt:
            pass
        finally:
            reader.close()
            self.shutdown()  # type: ignore[no-untyped-call]

    # -- client capabilities ----------------------------------------------------------

    def capability(self, dotted: str, default: Any = None) -> Any:
        try:
            return get_capability(self.client_capabilities, dotted, default)
        except AttributeError:
            return default

    def read_client_capabilities(self, params: types.InitializeParams) -> None:
        experimental = plain(params.capabilities.experimental) or {}
        raw = experimental.get("tether") if isinstance(experimental, dict) else None
        try:
            self.client_tether = TetherClientCapabilities.model_validate(raw or {})
        except ValueError:
            self.log_to_client(f"ignoring malformed experimental.tether capabilities: {raw!r}",
                               types.MessageType.Warning)
        encoding = self.protocol.workspace.position_encoding
        name = getattr(encoding, "value", encoding) or "utf-16"
        self.overlay.encoding = name if name in ("utf-8", "utf-16", "utf-32") else "utf-16"  # type: ignore[assignment]

    @property
    def position_encoding(self) -> Encoding:
        return self.overlay.encoding

    # -- folders ----------------------------------------------------------------------

    def initial_folders(self, params: types.InitializeParams) -> list[WorkspaceFolder]:
        uris = [f.uri for f in params.workspace_folders or []]
        if not uris and params.root_uri:
            uris = [params.root_uri]
        elif not uris and params.root_path:
            return [WorkspaceFolder.at(params.root_path)]
        folders = []
        for uri in uris:
            try:
                folders.append(WorkspaceFolder(canonical(uri_to_path(uri))))
            except ValueError:
                self.log_to_client(f"ignoring workspace folder {uri}: not a file URI",
                                   types.MessageType.Warning)
        return folders

    def settings_for(self, folder: WorkspaceFolder) -> Settings:
        return self.folder_settings.get(folder.root, self.base_settings)

    async def refresh_settings(self) -> None:
        """Pull section `tether` per folder and merge it over the file/env settings."""
        base = await asyncio.to_thread(load_settings)
        runtimes = list(self.folders)
        results: list[Any] = []
        if self.capability("workspace.configuration", False):
            items = [types.ConfigurationItem(section="tether", scope_uri=rt.folder.uri)
                     for rt in runtimes] or [types.ConfigurationItem(section="tether")]
            try:
                answer = await self.editor.request(types.WORKSPACE_CONFIGURATION,
                                                   types.ConfigurationParams(items=items))
                results = list(answer or [])
            except Exception as exc:
                self.log_to_client(f"workspace/configuration failed: {exc}",
                                   types.MessageType.Warning)
        self.base_settings = self._merge(base, results[0] if results else None)
        for i, rt in enumerate(runtimes):
            raw = results[i] if i < len(results) else None
            settings = self._merge(base, raw)
            self.folder_settings[rt.folder.root] = settings
            rt.manager.update_settings(settings)
        self.settings_ready.set()

    def apply_pushed_settings(self, raw: Any) -> None:
        """didChangeConfiguration from a client that cannot be asked (push model)."""
        data = plain(raw)
        section = data.get("tether") if isinstance(data, dict) else None
        base = self.base_settings
        for rt in self.folders:
            settings = self._merge(base, section)
            self.folder_settings[rt.folder.root] = settings
            rt.manager.update_settings(settings)

    def _merge(self, base: Settings, raw: Any) -> Settings:
        data = plain(raw)
        if data is None:
            settings = base
        elif not isinstance(data, dict):
            settings = base.model_copy()
            settings.problems = [*base.problems, f"editor: section 'tether' is not an object: "
                                                 f"{type(data).__name__}; ignored"]
        else:
            settings = base.merged(self._client_settings(data))
        for problem in settings.problems:
            if problem not in self._reported:
                self._reported.add(problem)
                self.log_to_client(f"settings: {problem}", types.MessageType.Warning)
        return settings

    def _client_settings(self, data: dict[str, Any]) -> dict[str, Any]:
        """The editor's section as given on stdio; without unsafe keys for a remote client."""
        if not self.remote:
            return data
        kept, dropped = remote_safe(data)
        if dropped:
            message = (f"settings: ignored {', '.join(sorted(dropped))} from this remote "
                       "client: on TCP/WebSocket they come only from the server's config "
                       "file and environment")
            if message not in self._reported:
                self._reported.add(message)
                self.log_to_client(message, types.MessageType.Warning)
        return kept

    # -- events out -------------------------------------------------------------------

    def _on_event(self, event: SessionEvent) -> None:
        self._send_event(event)  # deltas come joined and rate-capped from the session

    def _send_event(self, event: EventBase) -> None:
        """One `tether/session/event` notification, serialized by pydantic in one pass."""
        params: dict[str, Any] = {"sessionId": event.session_id, "seq": event.seq,
                                  "event": event}
        if event.turn_id is not None:
            params["turnId"] = event.turn_id
        message = {"jsonrpc": "2.0", "method": SESSION_EVENT, "params": params}
        try:
            body = to_json(message, by_alias=True, exclude_none=True)
        except PydanticSerializationError:  # a lone surrogate: pygls' json.dumps escapes it
            params["event"] = event.to_wire()
            self.protocol.notify(SESSION_EVENT, params)
            return
        send_serialized(self.protocol, body)

    def send_replayed(self, events: list[SessionEvent]) -> None:
        for event in events:
            self._send_event(event)

    # -- messages to the user ---------------------------------------------------------

    def log_to_client(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        message = redact(message)
        log.log(logging.WARNING if kind <= types.MessageType.Warning else logging.INFO, message)
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=message))
        except Exception:  # no transport yet (unit tests) or the client is gone
            log.debug("could not send window/logMessage", exc_info=True)

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Bad input from the client: log it, tell the client's log; never a popup storm.

        Errors of requests were already answered as JSON-RPC errors: nothing more to say.
        """
        if source is FeatureRequestError:
            return
        self.log_to_client(f"Tether could not handle a message: {error}", types.MessageType.Error)
