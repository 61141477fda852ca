"""End-to-end harness: `python -m tether serve` driven by a pytest-lsp client.

The client plays an editor: it keeps buffers, applies `workspace/applyEdit` the way VS
Code does (checking the version, answering applied=false on a mismatch) and reports the
change back with didChange, answers permission prompts, and records every
`tether/session/event`. The model is the scripted provider server over real HTTP.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.client import make_test_lsp_client

from support.server_env import server_environ
from tether.lsp.wire import plain
from tether.testing.provider_server import Script, ScriptedProviderServer
from tether.workspace.folder import path_to_uri, uri_to_path
from tether.workspace.overlay import TextChange, apply_change

SERVER_COMMAND = [sys.executable, "-m", "tether", "serve"]
if os.environ.get("TETHER_E2E_LOG"):  # debugging aid: the server's DEBUG log in a file
    SERVER_COMMAND += ["--log-level", "DEBUG", "--log-file", os.environ["TETHER_E2E_LOG"]]
CLIENTS = ["visual-studio-code", "neovim"]
WAIT = 20.0  # generous upper bound for anything to arrive; never a timing assertion


@dataclass
class Editor:
    """The client-side editor state the tests assert on."""

    encoding: str = "utf-16"
    docs: dict[str, list[Any]] = field(default_factory=dict)  # uri -> [text, version]
    unopened: dict[str, str] = field(default_factory=dict)  # buffers loaded by an edit
    events: list[dict[str, Any]] = field(default_factory=list)
    edits: list[types.ApplyWorkspaceEditParams] = field(default_factory=list)
    permission_answer: str = "allow_once"
    permission_comment: str | None = None  # sent with the answer (a rejection's reason)
    permission_requests: list[Any] = field(default_factory=list)
    permission_withdrawn: bool = False
    message_answer: str | None = "Allow once"
    message_requests: list[types.ShowMessageRequestParams] = field(default_factory=list)
    registrations: list[types.Registration] = field(default_factory=list)
    before_apply: Callable[[], None] | None = None  # simulate typing before an edit lands
    on_asked: Callable[[int], None] | None = None  # simulate typing while asked (n-th ask)


@dataclass
class Harness:
    client: LanguageClient
    editor: Editor
    init: types.InitializeResult

    async def request(self, method: str, params: Any) -> Any:
        result = await asyncio.wait_for(
            self.client.protocol.send_request_async(method, params), WAIT)
        return plain(result)

    def open(self, path: Path, text: str | None = None, version: int = 1) -> str:
        uri = path_to_uri(path)
        text = path.read_text() if text is None else text
        self.editor.docs[uri] = [text, version]
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=version,
                                                 text=text)))
        return uri

    def type_text(self, uri: str, line: int, character: int, text: str,
                  end: tuple[int, int] | None = None) -> None:
        """An incremental change, as typing sends it."""
        doc = self.editor.docs[uri]
        change = TextChange(text=text, start=(line, character), end=end or (line, character))
        doc[0] = apply_change(doc[0], change, self.editor.encoding)  # type: ignore[arg-type]
        doc[1] += 1
        erange = types.Range(start=types.Position(line, character),
                             end=types.Position(*(end or (line, character))))
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=doc[1]),
            content_changes=[types.TextDocumentContentChangePartial(range=erange, text=text)]))

    def events_of(self, session_id: str) -> list[dict[str, Any]]:
        return [e for e in self.editor.events if e["sessionId"] == session_id]

    async def wait_event(self, session_id: str, kind: str) -> dict[str, Any]:
        async def poll() -> dict[str, Any]:
            while True:
                for e in self.events_of(session_id):
                    if e["event"]["type"] == kind:
                        return e
                await asyncio.sleep(0.02)

        return await asyncio.wait_for(poll(), WAIT)


def _apply_edit(editor: Editor, client: LanguageClient,
                params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
    editor.edits.append(params)
    if editor.before_apply is not None:
        hook, editor.before_apply = editor.before_apply, None
        hook()
    for change in params.edit.document_changes or []:
        if isinstance(change, types.CreateFile):
            editor.unopened.setdefault(change.uri, "")
            continue
        if not isinstance(change, types.TextDocumentEdit):
            continue
        uri, version = change.text_document.uri, change.text_document.version
        doc = editor.docs.get(uri)
        if doc is not None and version is not None and version != doc[1]:
            return types.ApplyWorkspaceEditResult(
                applied=False, failure_reason=f"version {version} != buffer version {doc[1]}")
    for change in params.edit.document_changes or []:
        if not isinstance(change, types.TextDocumentEdit):
            continue
        uri = change.text_document.uri
        changes = [TextChange(text=e.new_text, start=(e.range.start.line, e.range.start.character),
                              end=(e.range.end.line, e.range.end.character))
                   for e in change.edits]  # type: ignore[union-attr]
        doc = editor.docs.get(uri)
        if doc is None:
            text = editor.unopened.get(uri)
            if text is None:
                text = uri_to_path(uri).read_text()
            for c in changes:
                text = apply_change(text, c, editor.encoding)  # type: ignore[arg-type]
            editor.unopened[uri] = text
            continue
        for c in changes:
            doc[0] = apply_change(doc[0], c, editor.encoding)  # type: ignore[arg-type]
        doc[1] += 1
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=doc[1]),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=doc[0])]))
    return types.ApplyWorkspaceEditResult(applied=True)


def make_client(editor: Editor) -> LanguageClient:
    client = make_test_lsp_client()

    @client.feature("tether/session/event")
    def on_event(params: Any) -> None:
        editor.events.append(plain(params))

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def on_apply(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        return _apply_edit(editor, client, params)

    @client.feature("tether/permission/request")
    async def on_permission(params: Any) -> Any:
        editor.permission_requests.append(plain(params))
        if editor.on_asked is not None:
            editor.on_asked(len(editor.permission_requests))
        if editor.permission_answer == "never":  # the user walks away from the prompt
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                editor.permission_withdrawn = True  # the server sent $/cancelRequest
                raise
        if editor.permission_comment is not None:
            return {"option": editor.permission_answer, "comment": editor.permission_comment}
        return {"option": editor.permission_answer}

    @client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
    def on_message(params: types.ShowMessageRequestParams) -> Any:
        editor.message_requests.append(params)
        if editor.message_answer is None:
            return None
        return types.MessageActionItem(title=editor.message_answer)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def on_register(params: types.RegistrationParams) -> None:
        editor.registrations.extend(params.registrations)

    return client


@dataclass
class Env:
    provider: ScriptedProviderServer
    data_dir: Path
    tmp: Path

    def environ(self) -> dict[str, str]:
        return server_environ(self.provider, self.data_dir, self.tmp)

    @asynccontextmanager
    async def serve(
        self,
        folders: list[Path],
        *,
        client_name: str = "visual-studio-code",
        permissions: bool = True,
        settings: dict[str, Any] | None = None,
    ) -> AsyncIterator[Harness]:
        editor = Editor()
        client = make_client(editor)
        client.set_configuration({"titleGeneration": False, **(settings or {})},
                                 section="tether")
        await client.start_io(*SERVER_COMMAND, env=self.environ())
        caps = client_capabilities(client_name)
        if permissions:
            caps.experimental = {"tether": {"permissions": True}}
        try:
            init = await asyncio.wait_for(client.initialize_session(types.InitializeParams(
                capabilities=caps,
                root_uri=path_to_uri(folders[0]) if folders else None,
                workspace_folders=[types.WorkspaceFolder(uri=path_to_uri(f), name=f.name)
                                   for f in folders],
            )), WAIT)
            encoding = init.capabilities.position_encoding or "utf-16"
            editor.encoding = getattr(encoding, "value", encoding)
            yield Harness(client, editor, init)
            await asyncio.wait_for(client.shutdown_session(), WAIT)
        finally:
            server = client._server
            if server is not None and server.returncode is None:
                server.kill()  # a failed test must not leave the server waiting for exit
            await asyncio.wait_for(client.stop(), WAIT)


@pytest.fixture
def provider() -> Any:
    with ScriptedProviderServer(Script([])) as srv:
        yield srv


@pytest.fixture
def env(provider: ScriptedProviderServer, tmp_path: Path) -> Env:
    return Env(provider=provider, data_dir=tmp_path / "data", tmp=tmp_path)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    return root.resolve()
