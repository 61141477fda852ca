"""What a real `tether serve` puts on the wire conforms to the generated schema.

The generated TypeScript and Lua types promise more than the pydantic models check (a
server-sent field with a default is always present, `type` is always there): this test
drives a real server through a turn with reasoning, text, an edit and a command, then
every other method, and validates each raw JSON message against the JSON Schema and
the models. The model is the scripted provider over loopback HTTP.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tether.protocol import methods as m
from tether.protocol.base import WireModel
from tether.protocol.error_codes import ErrorCode
from tether.protocol.events import EVENT_TYPES, parse_event
from tether.protocol.generate import default_root
from unit.protocol.schema_check import schema_errors


def _bench() -> ModuleType:
    """The benchmark's raw JSON-RPC client: it hands us messages exactly as sent."""
    path = default_root() / "benchmarks" / "bench_lsp.py"
    spec = importlib.util.spec_from_file_location("bench_lsp", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_lsp", module)
    spec.loader.exec_module(module)
    return module


bench = _bench()


def conforms(model: type[WireModel], wire: Any) -> None:
    errors = schema_errors(model.__name__, wire)
    assert errors == [], f"{model.__name__}: {errors}\n{wire}"
    model.model_validate(wire)


class RecordingClient(bench.RpcClient):  # type: ignore[misc,name-defined]
    """Records server → client requests and notifications as raw JSON."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.server_requests: list[tuple[str, Any]] = []
        self.notifications: list[tuple[str, Any]] = []
        self.on_notification = lambda method, params: self.notifications.append((method, params))

    def _answer(self, method: str, params: Any) -> Any:
        self.server_requests.append((method, params))
        return super()._answer(method, params)


def _script() -> Any:
    from tether.testing.provider_server import Script, ToolCallSpec, Turn

    edit = {"path": "hello.py", "old": "def greet(name):\n",
            "new": 'def greet(name):\n    """Say hello."""\n'}
    return Script([
        Turn(reasoning="The function lacks a docstring.", text="I'll add one.", chunk_size=4,
             tool_calls=[ToolCallSpec(name="edit", arguments=edit, id="call_edit"),
                         ToolCallSpec(name="run_command", arguments={"command": "echo hi"},
                                      id="call_run")]),
        Turn(text="Done: added a docstring.", chunk_size=5),
    ])


async def _session(tmp_path: Path) -> None:
    from tether.testing.provider_server import ScriptedProviderServer

    env = bench.Env(tmp_path)
    with ScriptedProviderServer(_script()) as srv:
        vars_ = {**env.vars, "TETHER_PROVIDER": "openai", "OPENAI_BASE_URL": srv.openai_base_url,
                 "OPENAI_API_KEY": "test", "TETHER_MODEL": "scripted"}
        client = await RecordingClient.spawn(bench.TETHER_CMD, vars_, tmp_path / "stderr.log")
        client.settings = {"titleGeneration": False}
        try:
            await _exercise(client, env.folder)
        finally:
            await client.close()


async def _call(client: Any, method: str, params: WireModel) -> Any:
    conforms(type(params), params.to_wire())
    result = await asyncio.wait_for(client.request(method, params.to_wire()), 60)
    result_model = m.METHOD_PARAMS[method][1]
    assert result_model is not None
    conforms(result_model, result)
    return result


async def _exercise(client: Any, folder: Path) -> None:
    init = await asyncio.wait_for(client.request("initialize", bench.initialize_params(folder)), 60)
    conforms(m.TetherServerCapabilities, init["capabilities"]["experimental"]["tether"])
    client.notify("initialized", {})
    uri = folder.as_uri()

    created = await _call(client, m.SESSION_CREATE, m.CreateSessionParams(folder_uri=uri))
    sid = created["sessionId"]
    result = await _call(client, m.SESSION_PROMPT,
                         m.PromptParams(session_id=sid, text="Add a docstring to greet()"))
    assert result["status"] == "completed", result

    live = [p for meth, p in client.notifications if meth == m.SESSION_EVENT]
    for params in live:
        conforms(m.SessionEventNotification, params)
        conforms(EVENT_TYPES[params["event"]["type"]], params["event"])
        assert params["seq"] == params["event"]["seq"]
        assert params["sessionId"] == params["event"]["sessionId"] == sid
    kinds = {p["event"]["type"] for p in live}
    assert {"turn_started", "message_added", "text_delta", "reasoning_delta",
            "tool_call_started", "tool_call_completed", "file_edited", "permission_requested",
            "permission_resolved", "usage", "turn_completed"} <= kinds, kinds
    seqs = [p["seq"] for p in live]
    assert seqs == sorted(set(seqs)), "seq must strictly increase"

    asked = [p for meth, p in client.server_requests if meth == m.PERMISSION_REQUEST]
    assert asked, "run_command should have asked for permission"
    for params in asked:
        conforms(m.PermissionRequestParams, params)

    loaded = await _call(client, m.SESSION_LOAD, m.LoadSessionParams(session_id=sid))
    client.notifications.clear()
    replay = await _call(client, m.SESSION_REPLAY, m.ReplayParams(session_id=sid, from_seq=0))
    replayed = [p for meth, p in client.notifications if meth == m.SESSION_EVENT]
    assert replay["count"] == len(replayed) > 0
    assert replay["lastSeq"] == loaded["lastSeq"] == replayed[-1]["seq"]
    for params in replayed:
        conforms(m.SessionEventNotification, params)
        assert parse_event(params["event"]).durable

    await _call(client, m.SESSION_LIST, m.ListSessionsParams(folder_uri=uri))
    await _call(client, m.SESSION_RENAME, m.RenameParams(session_id=sid, title="Docstrings"))
    for fmt in ("markdown", "json"):
        await _call(client, m.SESSION_EXPORT, m.ExportParams(session_id=sid, format=fmt))
    fork = await _call(client, m.SESSION_FORK, m.ForkParams(session_id=sid))
    await _call(client, m.SESSION_STEER, m.SteerParams(session_id=sid, text="also tests"))
    await _call(client, m.SESSION_CANCEL, m.SessionIdParams(session_id=sid))
    await _call(client, m.SESSION_DELETE, m.SessionIdParams(session_id=fork["sessionId"]))
    await _call(client, m.MODELS_LIST, m.EmptyParams())
    await _call(client, m.INDEX_STATUS, m.IndexStatusParams(folder_uri=uri))
    try:
        await _call(client, m.INDEX_SEARCH, m.IndexSearchParams(folder_uri=uri, query="greet"))
    except bench.RpcError as exc:  # the index may still be building: a documented error
        assert str(int(ErrorCode.INDEX_UNAVAILABLE)) in str(exc), exc

    for method, params, code in (
        (m.SESSION_LOAD, {"sessionId": "no-such-session"}, ErrorCode.UNKNOWN_SESSION),
        (m.SESSION_PROMPT, {"text": "missing sessionId"}, ErrorCode.INVALID_PARAMS),
        (m.SESSION_LIST, {"folderUri": "file:///not/a/folder"},
         ErrorCode.FOLDER_NOT_IN_WORKSPACE),
    ):
        with pytest.raises(bench.RpcError) as info:
            await client.request(method, params)
        assert f'"code": {int(code)}' in str(info.value), info.value


@pytest.mark.slow
def test_a_real_server_speaks_the_generated_schema(tmp_path: Path) -> None:
    asyncio.run(_session(tmp_path))
