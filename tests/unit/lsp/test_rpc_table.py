"""The `tether/*` handlers as a table: every served method has one, each is a plain
function awaited here with a real server that never opens a transport, and the one
wrapper parses params, waits for settings and maps errors (CancelledError passes)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

import tether.lsp.app  # fills the table as the server does
import tether.lsp.change_handlers
from tether.errors import SessionNotFoundError
from tether.lsp import handlers
from tether.lsp.errors import TetherRpcError
from tether.lsp.rpc import TABLE, Rpc, register, rpc
from tether.lsp.server import SERVED_METHODS, TetherServer
from tether.protocol import methods as m
from tether.protocol.error_codes import ErrorCode
from tether.protocol.events import EventBase
from tether.settings import Settings
from tether.testing.provider_server import Script, ScriptedProviderServer, text_turn
from tether.workspace.folder import WorkspaceFolder


@pytest.fixture
def provider() -> Iterator[ScriptedProviderServer]:
    with ScriptedProviderServer(Script([])) as srv:
        yield srv


@pytest.fixture
async def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                 provider: ScriptedProviderServer) -> AsyncIterator[TetherServer]:
    monkeypatch.setenv("TETHER_DATA_DIR", str(tmp_path / "data"))
    root = tmp_path / "ws"
    root.mkdir()
    srv = TetherServer(index_factory=lambda folder: None)
    srv.base_settings = Settings(provider="openai", openai_base_url=provider.openai_base_url,
                                 openai_api_key="k", model="m",  # type: ignore[arg-type]
                                 title_generation=False)
    srv.folders.add(WorkspaceFolder.at(root))
    srv.settings_ready.set()
    yield srv
    await srv.aclose()


def folder_uri(server: TetherServer) -> str:
    return next(iter(server.folders)).folder.uri


def events(server: TetherServer) -> list[EventBase]:
    seen: list[EventBase] = []
    next(iter(server.folders)).manager.subscribe(seen.append)
    return seen


def test_every_served_method_has_one_handler() -> None:
    assert sorted(TABLE) == [name for name in SERVED_METHODS if name.startswith("tether/")]
    assert TABLE[m.SESSION_PROMPT] == Rpc(m.SESSION_PROMPT, m.PromptParams, handlers.prompt)
    with pytest.raises(ValueError, match="two handlers"):
        rpc(m.SESSION_PROMPT, m.PromptParams)(handlers.prompt)


async def test_handlers_are_plain_functions(server: TetherServer,
                                            provider: ScriptedProviderServer) -> None:
    provider.set_script(Script([text_turn("Hello there.")]))
    created = await handlers.create(server, m.CreateSessionParams(folder_uri=folder_uri(server)))
    seen = events(server)
    result = await handlers.prompt(server, m.PromptParams(
        session_id=created.session_id, text="hi", client_message_id="c-9"))
    assert result.status == "completed" and result.text == "Hello there."
    started = [e for e in seen if e.type == "turn_started"]  # type: ignore[attr-defined]
    assert [e.client_message_id for e in started] == ["c-9"]  # type: ignore[attr-defined]
    assert started[0].turn_id == result.turn_id
    listed = await handlers.list_sessions(server, m.ListSessionsParams(
        folder_uri=folder_uri(server)))
    assert [s.id for s in listed.sessions] == [created.session_id]
    changes = await tether.lsp.change_handlers.changes_list(server, m.ChangesListParams(
        session_id=created.session_id))
    assert changes.turns == []  # the turn answered without editing a file
    with pytest.raises(SessionNotFoundError):
        await handlers.load(server, m.LoadSessionParams(session_id="nope"))


async def test_a_cancelled_prompt_answers_the_turns_own_result(
        server: TetherServer, provider: ScriptedProviderServer) -> None:
    provider.set_script(Script([text_turn("word " * 2000, chunk_size=5, chunk_delay=0.02)]))
    created = await handlers.create(server, m.CreateSessionParams(folder_uri=folder_uri(server)))
    seen = events(server)
    turn = asyncio.create_task(handlers.prompt(server, m.PromptParams(
        session_id=created.session_id, text="talk", client_message_id="c-1")))
    while not any(e.type == "text_delta" for e in seen):  # type: ignore[attr-defined]
        await asyncio.sleep(0.01)
    turn.cancel()  # what pygls does on $/cancelRequest
    result = await turn
    ended = seen[-1]
    assert ended.type == "turn_cancelled"  # type: ignore[attr-defined]
    assert result.status == "cancelled" and result.turn_id == ended.turn_id
    assert result.reason == ended.reason  # type: ignore[attr-defined]


async def test_the_wrapper_parses_params_and_answers_wire_json(server: TetherServer) -> None:
    register(server)
    create = server.protocol.fm.features[m.SESSION_CREATE]
    answer = await create({"folderUri": folder_uri(server)})
    assert set(answer) >= {"sessionId", "session"}
    load = server.protocol.fm.features[m.SESSION_LOAD]
    with pytest.raises(TetherRpcError) as bad:
        await load({"sessionId": 7})
    assert bad.value.code == ErrorCode.INVALID_PARAMS
    assert bad.value.data["errors"][0]["path"] == "sessionId"
    with pytest.raises(TetherRpcError) as missing:
        await load({"sessionId": "nope"})
    assert missing.value.code == ErrorCode.UNKNOWN_SESSION
    assert missing.value.data["type"] == "SessionNotFoundError"


async def test_the_wrapper_maps_bugs_and_lets_cancel_pass(server: TetherServer) -> None:
    async def buggy(server: TetherServer, p: m.EmptyParams) -> m.OkResult:
        raise KeyError("oops")

    async def cancelled(server: TetherServer, p: m.EmptyParams) -> m.OkResult:
        raise asyncio.CancelledError

    register(server, {"test/buggy": Rpc("test/buggy", m.EmptyParams, buggy),
                      "test/cancelled": Rpc("test/cancelled", m.EmptyParams, cancelled)})
    with pytest.raises(TetherRpcError) as bug:
        await server.protocol.fm.features["test/buggy"](None)
    assert bug.value.code == ErrorCode.INTERNAL and "KeyError" in bug.value.message
    with pytest.raises(asyncio.CancelledError):
        await server.protocol.fm.features["test/cancelled"](None)


async def test_the_first_request_waits_for_the_editors_settings(server: TetherServer) -> None:
    calls: list[Any] = []

    async def note(server: TetherServer, p: m.EmptyParams) -> m.OkResult:
        calls.append(server.base_settings.model)
        return m.OkResult()

    register(server, {"test/note": Rpc("test/note", m.EmptyParams, note)})
    server.settings_ready.clear()
    waiting = asyncio.ensure_future(server.protocol.fm.features["test/note"]({}))
    for _ in range(5):
        await asyncio.sleep(0)
    assert not calls and not waiting.done()
    server.base_settings = server.base_settings.model_copy(update={"model": "pulled"})
    server.settings_ready.set()
    await waiting
    assert calls == ["pulled"]
