"""The ACP bridge (client files first, disk second) and the agent's wiring, with a fake client.

The fake stands for the SDK connection only where these tests need it; end to end, the
official TypeScript SDK plays the client (tests/acp).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from acp.exceptions import RequestError
from acp.schema import (
    AllowedOutcome,
    ClientCapabilities,
    DeniedOutcome,
    EnvVariable,
    FileSystemCapabilities,
    McpServerStdio,
    ReadTextFileResponse,
    RequestPermissionResponse,
    TextContentBlock,
)

from tether.acp.agent import TetherAcpAgent
from tether.acp.bridge import CURRENT_SESSION, AcpEditorBridge
from tether.acp.mcp_seam import McpServerConfig
from tether.protocol.error_codes import ErrorCode
from tether.settings import Settings
from tether.tools.base import ToolContext, ToolOutcome
from tether.workspace.bridge import DocumentSnapshot, FileEdit, PermissionRequest
from tether.workspace.folder import WorkspaceFolder


class FakeClient:
    def __init__(self, buffers: dict[str, str] | None = None, answer: str | None = "allow_once"):
        self.buffers = buffers or {}
        self.answer = answer
        self.writes: list[tuple[str, str, str]] = []
        self.updates: list[Any] = []
        self.asked: list[Any] = []

    async def read_text_file(self, session_id: str, path: str, **kw: Any) -> ReadTextFileResponse:
        if path not in self.buffers:
            raise RequestError.resource_not_found(path)
        return ReadTextFileResponse(content=self.buffers[path])

    async def write_text_file(self, session_id: str, path: str, content: str, **kw: Any) -> None:
        self.writes.append((session_id, path, content))
        self.buffers[path] = content

    async def request_permission(self, session_id: str, tool_call: Any, options: list[Any],
                                 **kw: Any) -> RequestPermissionResponse:
        self.asked.append((tool_call, options))
        if self.answer is None:
            return RequestPermissionResponse(outcome=DeniedOutcome(outcome="cancelled"))
        return RequestPermissionResponse(
            outcome=AllowedOutcome(outcome="selected", option_id=self.answer))

    async def session_update(self, session_id: str, update: Any, **kw: Any) -> None:
        self.updates.append((session_id, update))


FS = ClientCapabilities(fs=FileSystemCapabilities(read_text_file=True, write_text_file=True))


async def _flush(session_id: str) -> None:
    return None


def _bridge(tmp_path: Path, client: FakeClient, caps: ClientCapabilities = FS) -> AcpEditorBridge:
    return AcpEditorBridge(WorkspaceFolder.at(tmp_path), client, caps, flush=_flush)  # type: ignore[arg-type]


async def test_reads_the_client_buffer_then_the_disk(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    (root / "open.py").write_text("disk\n")
    (root / "closed.py").write_text("only on disk\n")
    client = FakeClient({str(root / "open.py"): "buffer\n"})
    bridge = _bridge(root, client)
    token = CURRENT_SESSION.set("s1")
    try:
        assert (await bridge.read_document(root / "open.py")).text == "buffer\n"
        assert (await bridge.read_document(root / "closed.py")).text == "only on disk\n"
        missing = await bridge.read_document(root / "new.py")
        assert missing.exists is False
    finally:
        CURRENT_SESSION.reset(token)


async def test_writes_go_to_the_client_and_merge_onto_newer_text(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    path = root / "a.txt"
    path.write_text("one\ntwo\nthree\n")
    client = FakeClient({str(path): "one\ntwo\nthree\n"})
    bridge = _bridge(root, client)
    token = CURRENT_SESSION.set("s1")
    try:
        base = await bridge.read_document(path)
        client.buffers[str(path)] = "ONE\ntwo\nthree\n"  # the user typed after the agent read
        outcome = await bridge.apply_edit(FileEdit(path=path, base=base,
                                                   new_text="one\ntwo\nTHREE\n", diff=""))
    finally:
        CURRENT_SESSION.reset(token)
    assert outcome.applied and outcome.rebased
    assert client.writes == [("s1", str(path), "ONE\ntwo\nTHREE\n")]
    assert path.read_text() == "one\ntwo\nthree\n"  # the disk is the client's business


async def test_without_fs_the_disk_is_used(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    path = root / "a.txt"
    client = FakeClient()
    bridge = _bridge(root, client, ClientCapabilities())
    base = DocumentSnapshot(path=path, text="", version=None, exists=False)
    outcome = await bridge.apply_edit(FileEdit(path=path, base=base, new_text="hi\n", diff=""))
    assert outcome.applied and path.read_text() == "hi\n" and client.writes == []


async def test_outside_the_folder_is_refused(tmp_path: Path) -> None:
    root = (tmp_path / "ws").resolve()
    root.mkdir()
    bridge = _bridge(root, FakeClient())
    outside = tmp_path / "secret.txt"
    base = DocumentSnapshot(path=outside, text="", version=None, exists=False)
    outcome = await bridge.apply_edit(FileEdit(path=outside, base=base, new_text="x", diff=""))
    assert not outcome.applied and "outside the workspace" in outcome.message
    assert not outside.exists()


@pytest.mark.parametrize(("answer", "expected"), [("allow_once", "allow_once"),
                                                  ("allow_always", "allow_always"),
                                                  ("reject", "reject"), (None, "reject")])
async def test_permission_answers(tmp_path: Path, answer: str | None, expected: str) -> None:
    client = FakeClient(answer=answer)
    bridge = _bridge(tmp_path, client)
    chosen = await bridge.request_permission(PermissionRequest(
        session_id="s1", tool_call_id="c1", tool="run_command", description="Run `ls`"))
    assert chosen == expected
    tool_call, options = client.asked[0]
    assert tool_call.kind == "execute" and tool_call.status == "pending"
    assert [o.kind for o in options] == ["allow_once", "allow_always", "reject_once"]


class FakeTool:
    name = "mcp__fs__read"
    description = "read through MCP"
    parameters: dict[str, Any] = {"type": "object", "properties": {}}
    read_only = True
    needs_permission = True

    def describe_call(self, args: dict[str, Any]) -> str:
        return "read"

    async def run(self, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
        return ToolOutcome("ok")


async def test_mcp_servers_join_the_session_in_the_process_hub(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tether.mcp import hub

    monkeypatch.setattr(hub, "_hub", None)
    monkeypatch.setenv("TETHER_DATA_DIR", str(tmp_path / "data"))
    agent = TetherAcpAgent(Settings())
    agent.on_connect(FakeClient())  # type: ignore[arg-type]
    init = await agent.initialize(protocol_version=1)
    assert init.agent_capabilities is not None
    assert init.agent_capabilities.mcp_capabilities is not None
    assert init.agent_capabilities.mcp_capabilities.http is True
    ws = (tmp_path / "ws").resolve()
    ws.mkdir()
    new = await agent.new_session(cwd=str(ws), mcp_servers=[
        McpServerStdio(name="fs", command="mcp-fs", args=["--ro"],
                       env=[EnvVariable(name="A", value="1")])])
    assert agent.mcp_servers[new.session_id] == [McpServerConfig(
        name="fs", transport="stdio", command="mcp-fs", args=("--ro",), env={"A": "1"})]
    declared = hub.process_hub().declared({}, None, session_id=new.session_id)
    assert [(s.name, s.source) for s in declared] == [("fs", "session")]
    assert hub.process_hub().declared({}, None, session_id="another") == []
    await agent.aclose()
    assert hub._hub is None  # the connection's end stopped the process's servers


async def test_tether_errors_keep_their_code_and_message(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TETHER_DATA_DIR", str(tmp_path / "data"))
    agent = TetherAcpAgent(Settings())
    agent.on_connect(FakeClient())  # type: ignore[arg-type]
    await agent.initialize(protocol_version=1)
    ws = (tmp_path / "ws").resolve()
    ws.mkdir()
    with pytest.raises(RequestError) as caught:
        await agent.list_sessions(cwd=str(ws), cursor="not-a-cursor")
    assert caught.value.code == -32602 and "cursor" in str(caught.value)
    assert caught.value.data["tetherCode"] == int(ErrorCode.INVALID_PARAMS)
    with pytest.raises(RequestError) as refused:
        await agent.new_session(cwd="relative/dir")
    assert refused.value.code == -32602 and "absolute" in str(refused.value)
    new = await agent.new_session(cwd=str(ws))
    manager = agent.folders.for_session(new.session_id)
    await manager.delete(new.session_id)  # gone underneath: the store says so
    with pytest.raises(RequestError) as gone:
        await agent.prompt(session_id=new.session_id,
                           prompt=[TextContentBlock(type="text", text="hi")])
    assert gone.value.code == -32002  # ACP's "resource not found"
    assert gone.value.data["tetherCode"] == int(ErrorCode.UNKNOWN_SESSION)
    await agent.aclose()
