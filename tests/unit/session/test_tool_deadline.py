"""The tool runner's wall-clock deadline: a stuck tool becomes a tool error, the turn goes on."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from support.session_fakes import AnsweringBridge, FakeProvider, text_step, tool_step
from tether.protocol.events import EventBase
from tether.session.manager import SessionManager
from tether.settings import Settings
from tether.store import open_store
from tether.tools.base import ToolContext, ToolOutcome
from tether.tools.registry import ToolRegistry, builtin_tools
from tether.workspace.folder import WorkspaceFolder


class StuckTool:
    """A read-only tool whose work never ends (a hung network share, a lost lock, ...)."""

    name = "stuck"
    description = "Never returns."
    parameters: dict[str, Any] = {"type": "object", "properties": {}}
    read_only = True
    needs_permission = False

    def __init__(self) -> None:
        self.cancelled = False

    def describe_call(self, args: dict[str, Any]) -> str:
        return "stuck"

    async def run(self, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        return ToolOutcome("unreachable")


def manager(workspace: WorkspaceFolder, steps: list[list[Any]], tools: ToolRegistry,
            events: list[EventBase], **settings: Any) -> tuple[SessionManager, FakeProvider]:
    provider = FakeProvider(steps)
    base = Settings(provider="openai", model="fake-model", title_generation=False,
                    context_window=100_000, auto_approve=True)
    m = SessionManager(workspace, store=open_store(workspace),
                       settings=base.model_copy(update=settings), bridge=AnsweringBridge(None),
                       provider_factory=lambda _s: provider, tools=tools)
    m.subscribe(events.append)
    return m, provider


async def test_a_tool_past_its_deadline_is_a_tool_error_and_the_turn_goes_on(
    workspace: WorkspaceFolder, data_dir: Path
) -> None:
    stuck = StuckTool()
    events: list[EventBase] = []
    m, provider = manager(workspace, [tool_step(("stuck", {})), text_step("Moved on.")],
                          ToolRegistry([stuck]), events, tool_timeout=0.2)
    info = await m.create()
    result = await m.prompt(info.id, "go")
    assert result.status == "completed" and result.text == "Moved on."
    assert stuck.cancelled  # its work was stopped, not left running
    tool_result = provider.requests[1].messages[-1].tool_results[0]
    assert tool_result.is_error
    assert "stuck timed out after 0.2 s" in tool_result.content
    assert "tool_timeout" in tool_result.content
    done = [e for e in events if e.type == "tool_call_completed"]  # type: ignore[attr-defined]
    assert [e.success for e in done] == [False]  # type: ignore[attr-defined]
    await m.aclose()


async def test_run_command_keeps_its_own_timeout(
    workspace: WorkspaceFolder, data_dir: Path
) -> None:
    """tool_timeout bounds the other tools; a command runs up to command_timeout."""
    events: list[EventBase] = []
    call = ("run_command", {"command": "sleep 0.6; echo finished"})
    m, provider = manager(workspace, [tool_step(call), text_step("ok")],
                          ToolRegistry(builtin_tools()), events, tool_timeout=0.2,
                          command_timeout=30.0)
    info = await m.create()
    result = await m.prompt(info.id, "go")
    assert result.status == "completed"
    tool_result = provider.requests[1].messages[-1].tool_results[0]
    assert tool_result.content == "finished\n[exit code 0]"
    await m.aclose()
