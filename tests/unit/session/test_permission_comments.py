"""A rejected tool call carries the user's words to the model, whatever the tool.

Edits, `run_command` and any other tool that asks first (MCP tools do) are answered the
same way: the rejection, with the comment the user typed, is the tool result the model
reads at its next request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from support.session_fakes import AnsweringBridge, FakeProvider, text_step, tool_step
from tether.protocol.models import ToolResultPart
from tether.session.manager import SessionManager
from tether.settings import Settings
from tether.store import open_store
from tether.tools.base import ToolContext, ToolOutcome
from tether.tools.registry import ToolRegistry, default_tools
from tether.workspace.bridge import PermissionAnswer, PermissionOption, PermissionRequest
from tether.workspace.folder import WorkspaceFolder

SETTINGS = Settings(provider="openai", model="fake-model", title_generation=False,
                    context_window=100_000)


class AskingTool:
    """A tool that asks before it runs, shaped like an MCP server's tool."""

    name = "mcp__notes__append"
    description = "Append a note (MCP server notes)"
    parameters: dict[str, Any] = {"type": "object", "properties": {"text": {"type": "string"}}}
    read_only = False
    needs_permission = True

    def __init__(self) -> None:
        self.ran = 0

    def describe_call(self, args: dict[str, Any]) -> str:
        return f"Call append on MCP server notes with {args}"

    async def run(self, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
        self.ran += 1
        return ToolOutcome("appended")


class CommentingBridge(AnsweringBridge):
    def __init__(self, answer: PermissionAnswer) -> None:
        super().__init__()
        self.answer = answer

    async def request_permission(  # type: ignore[override]
            self, request: PermissionRequest) -> PermissionOption | PermissionAnswer:
        self.asked.append(request)
        return self.answer


async def _rejected(workspace: WorkspaceFolder, call: tuple[str, dict[str, Any]],
                    answer: PermissionAnswer, **settings: Any
                    ) -> tuple[str, CommentingBridge, AskingTool]:
    """The tool result the model read after the user answered `answer` to `call`."""
    provider = FakeProvider([tool_step(call), text_step("Understood.")])
    bridge = CommentingBridge(answer)
    asking = AskingTool()
    manager = SessionManager(workspace, store=open_store(workspace),
                             settings=SETTINGS.model_copy(update=settings), bridge=bridge,
                             provider_factory=lambda _s: provider,
                             tools=ToolRegistry([*default_tools(), asking]))
    info = await manager.create()
    result = await manager.prompt(info.id, "go")
    assert result.status == "completed"
    (tool_message,) = [m for m in provider.requests[-1].messages if m.role == "tool"]
    (part,) = tool_message.parts
    assert isinstance(part, ToolResultPart) and part.is_error
    return part.content, bridge, asking


@pytest.mark.parametrize("call", [
    ("run_command", {"command": "touch ran.txt"}),
    ("mcp__notes__append", {"text": "hello"}),
    ("edit", {"path": "hello.py", "old": "Hello", "new": "Hi"}),
], ids=["run_command", "mcp-tool", "edit"])
async def test_a_rejection_carries_the_users_comment(
        workspace: WorkspaceFolder, data_dir: Path, call: tuple[str, dict[str, Any]]) -> None:
    original = (workspace.root / "hello.py").read_text()
    content, bridge, asking = await _rejected(
        workspace, call, PermissionAnswer("reject", "use make test instead"),
        edit_approval="ask")
    assert [r.tool for r in bridge.asked] == [call[0]]
    assert "rejected" in content and '"use make test instead"' in content
    assert not (workspace.root / "ran.txt").exists() and asking.ran == 0
    assert (workspace.root / "hello.py").read_text() == original


async def test_a_rejection_without_a_comment_says_no_words(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    content, _, _ = await _rejected(workspace, ("run_command", {"command": "touch ran.txt"}),
                                    PermissionAnswer("reject"))
    assert "rejected" in content and "said" not in content
    assert not (workspace.root / "ran.txt").exists()
