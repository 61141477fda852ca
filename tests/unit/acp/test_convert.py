"""Session events → ACP session/update: the pure conversion, event by event."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from acp.exceptions import RequestError
from acp.schema import (
    EmbeddedResourceContentBlock,
    EnvVariable,
    HttpHeader,
    HttpMcpServer,
    ImageContentBlock,
    McpServerStdio,
    ResourceContentBlock,
    TextContentBlock,
    TextResourceContents,
)

from tether.acp.agent import prompt_text
from tether.acp.convert import UpdateConverter, diff_hunks
from tether.acp.mcp_seam import McpServerConfig, server_configs
from tether.protocol.events import (
    FileEdited,
    MessageAdded,
    PermissionRequested,
    PermissionResolved,
    ReasoningDelta,
    TextDelta,
    TitleChanged,
    ToolCallCompleted,
    ToolCallStarted,
    UsageUpdated,
)
from tether.protocol.models import Message, TextPart, ThinkingPart, Usage
from tether.workspace.diffs import unified_diff
from tether.workspace.folder import WorkspaceFolder

ROOT = Path("/work/project")
S = {"session_id": "s1", "turn_id": "t1"}


def wire(converter: UpdateConverter, event: Any) -> list[dict[str, Any]]:
    return [u.model_dump(by_alias=True, exclude_none=True, mode="json")
            for u in converter.convert(event)]


def test_streamed_text_and_reasoning_become_chunks() -> None:
    c = UpdateConverter(root=ROOT)
    assert wire(c, TextDelta(**S, message_id="m", text="Hel")) == [
        {"sessionUpdate": "agent_message_chunk", "content": {"type": "text", "text": "Hel"}}]
    assert wire(c, ReasoningDelta(**S, message_id="m", text="hmm"))[0]["sessionUpdate"] == (
        "agent_thought_chunk")
    # live, the complete message was already streamed: not sent twice
    message = Message(id="m", role="assistant", parts=[TextPart(text="Hello")])
    assert wire(c, MessageAdded(**S, message=message)) == []


def test_replay_turns_messages_into_chunks_and_skips_deltas() -> None:
    c = UpdateConverter(root=ROOT, replay=True)
    user = Message(id="u", role="user", parts=[TextPart(text="hi")])
    answer = Message(id="a", role="assistant",
                     parts=[ThinkingPart(text="think"), TextPart(text="hello")])
    assert wire(c, MessageAdded(**S, message=user)) == [
        {"sessionUpdate": "user_message_chunk", "messageId": "u",
         "content": {"type": "text", "text": "hi"}}]
    assert [u["sessionUpdate"] for u in wire(c, MessageAdded(**S, message=answer))] == [
        "agent_thought_chunk", "agent_message_chunk"]
    assert wire(c, TextDelta(**S, message_id="a", text="x")) == []


def test_an_edit_call_carries_kind_location_and_diff() -> None:
    c = UpdateConverter(root=ROOT)
    args = {"path": "src/app.py", "old": "a", "new": "b"}
    (start,) = wire(c, ToolCallStarted(**S, tool_call_id="c1", name="edit", arguments=args))
    assert start == {"sessionUpdate": "tool_call", "toolCallId": "c1", "title": "edit: src/app.py",
                     "kind": "edit", "status": "in_progress",
                     "locations": [{"path": "/work/project/src/app.py"}], "rawInput": args}
    diff = unified_diff("x = 1\na = 2\n", "x = 1\nb = 2\n", "src/app.py")
    assert wire(c, FileEdited(**S, tool_call_id="c1", uri="file:///work/project/src/app.py",
                              diff=diff, applied=True)) == []
    (done,) = wire(c, ToolCallCompleted(**S, tool_call_id="c1", name="edit", success=True,
                                        duration_ms=3, output="edited src/app.py"))
    assert done["sessionUpdate"] == "tool_call_update" and done["status"] == "completed"
    assert done["content"] == [{"type": "diff", "path": "/work/project/src/app.py",
                                "oldText": "x = 1\na = 2\n", "newText": "x = 1\nb = 2\n"}]


def test_a_refused_edit_says_why() -> None:
    c = UpdateConverter(root=ROOT)
    wire(c, ToolCallStarted(**S, tool_call_id="c1", name="write_file", arguments={"path": "n"}))
    wire(c, FileEdited(**S, tool_call_id="c1", uri="file:///work/project/n",
                       diff=unified_diff("", "new\n", "n"), applied=False,
                       message="not applied: n was created since the agent read it"))
    (done,) = wire(c, ToolCallCompleted(**S, tool_call_id="c1", name="write_file",
                                        success=False, duration_ms=1, output="not applied"))
    assert done["status"] == "failed"
    kinds = [item["type"] for item in done["content"]]
    assert kinds == ["diff", "content", "content"]
    assert "oldText" not in done["content"][0]  # a new file: no old text


def test_permission_marks_the_call_pending_until_answered() -> None:
    c = UpdateConverter(root=ROOT)
    wire(c, ToolCallStarted(**S, tool_call_id="c1", name="run_command",
                            arguments={"command": "make"}))
    (pending,) = wire(c, PermissionRequested(**S, tool_call_id="c1", tool="run_command",
                                             description="Run `make`"))
    assert (pending["sessionUpdate"], pending["status"]) == ("tool_call_update", "pending")
    (resumed,) = wire(c, PermissionResolved(**S, tool_call_id="c1", option="allow_once"))
    assert resumed["status"] == "in_progress"
    assert wire(c, PermissionResolved(**S, tool_call_id="c1", option="reject")) == []


def test_a_terminal_stays_in_the_finished_call() -> None:
    c = UpdateConverter(root=ROOT)
    wire(c, ToolCallStarted(**S, tool_call_id="c1", name="run_command",
                            arguments={"command": "ls"}))
    attached = c.attach_terminal("c1", "term-1").model_dump(by_alias=True, exclude_none=True)
    assert attached["content"] == [{"type": "terminal", "terminalId": "term-1"}]
    (done,) = wire(c, ToolCallCompleted(**S, tool_call_id="c1", name="run_command", success=True,
                                        duration_ms=5, output="a\n[exit code 0]"))
    assert done["content"] == [{"type": "terminal", "terminalId": "term-1"}]
    assert done["rawOutput"] == "a\n[exit code 0]"


def test_usage_and_title() -> None:
    c = UpdateConverter(root=ROOT)
    usage = Usage(input_tokens=10, output_tokens=2)
    assert wire(c, UsageUpdated(**S, usage=usage, total=usage, context_tokens=900,
                                context_window=0)) == []  # the window is unknown
    assert wire(c, UsageUpdated(**S, usage=usage, total=usage, context_tokens=900,
                                context_window=8000)) == [
        {"sessionUpdate": "usage_update", "used": 900, "size": 8000}]
    (info,) = wire(c, TitleChanged(**S, title="Fix the parser"))
    assert info["sessionUpdate"] == "session_info_update" and info["title"] == "Fix the parser"
    assert info["updatedAt"].endswith("Z")


def test_diff_hunks_split_a_multi_hunk_diff() -> None:
    old = "".join(f"line {i}\n" for i in range(30))
    new = old.replace("line 2\n", "line two\n").replace("line 25\n", "")
    hunks = diff_hunks(unified_diff(old, new, "f.txt"))
    assert len(hunks) == 2
    assert "line 2\n" in hunks[0][0] and "line two\n" in hunks[0][1]
    assert "line 25\n" in hunks[1][0] and "line 25\n" not in hunks[1][1]


def test_prompt_blocks_become_text_and_attached_files(tmp_path: Path) -> None:
    folder = WorkspaceFolder.at(tmp_path)
    inside = (tmp_path / "a.py").resolve()
    text, context = prompt_text([
        TextContentBlock(type="text", text="look at"),
        ResourceContentBlock(type="resource_link", name="a.py", uri=inside.as_uri()),
        EmbeddedResourceContentBlock(type="resource", resource=TextResourceContents(
            uri="https://example.invalid/spec", text="the spec")),
    ], folder)
    assert context.extra_file_uris == [inside.as_uri()]
    assert text.startswith("look at\n") and "the spec" in text
    with pytest.raises(RequestError):
        prompt_text([ImageContentBlock(type="image", data="AA==", mime_type="image/png")],
                    folder)


def test_mcp_servers_reach_the_seam_as_configs() -> None:
    configs = server_configs([
        McpServerStdio(name="fs", command="npx", args=["-y", "server"],
                       env=[EnvVariable(name="TOKEN", value="x")]),
        HttpMcpServer(type="http", name="web", url="http://127.0.0.1:9/mcp",
                      headers=[HttpHeader(name="Authorization", value="Bearer y")]),
    ])
    assert configs == [
        McpServerConfig(name="fs", transport="stdio", command="npx", args=("-y", "server"),
                        env={"TOKEN": "x"}),
        McpServerConfig(name="web", transport="http", url="http://127.0.0.1:9/mcp",
                        headers={"Authorization": "Bearer y"}),
    ]
