"""Long work against a model server that enforces a small window (real HTTP, both wire
formats): the turn completes, every request fits, the task and the project rules reach
every request, and history keeps every byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.long_turns import (
    AGENTS_TEXT,
    TASK,
    Engine,
    big_files,
    reading_script,
    request_text,
    settings_for,
    turn_requests,
)
from tether.testing.provider_server import DEFAULT_SUMMARY, ScriptedProviderServer
from tether.workspace.folder import WorkspaceFolder

WINDOW = 12_000


@pytest.fixture
def folder(workspace: WorkspaceFolder, data_dir: Path) -> WorkspaceFolder:
    big_files(workspace.root, 40)
    (workspace.root / "AGENTS.md").write_text(AGENTS_TEXT + "\n")
    return workspace


def tool_outputs(engine: Engine, session_id: str) -> list[str]:
    records = engine.store.iter_records(session_id, from_seq=0)
    return [part["content"] for r in records if r.get("type") == "message_added"
            and r["message"]["role"] == "tool" for part in r["message"]["parts"]]


@pytest.mark.parametrize("wire", ["openai", "anthropic"])
async def test_forty_big_reads_in_a_12k_window(folder: WorkspaceFolder, wire: str) -> None:
    with ScriptedProviderServer(reading_script(40), context_window=WINDOW,
                                strict_tool_pairing=True) as srv:
        # OpenAI-compatible: the window comes from the server's /props (llama.cpp);
        # Anthropic: from the setting.
        extra = {"context_window": WINDOW} if wire == "anthropic" else {}
        engine = Engine(folder, settings_for(srv, wire, **extra))
        info = await engine.manager.create()
        result = await engine.manager.prompt(info.id, TASK)
        assert result.status == "completed", result.reason
        assert srv.rejected == []
        assert max(srv.prompt_tokens) <= WINDOW
        requests = turn_requests(srv)
        assert len(requests) == 41
        for body in requests:
            text = request_text(body)
            assert TASK in text and AGENTS_TEXT in text
        outputs = tool_outputs(engine, info.id)
        assert len(outputs) == 40
        for i, output in enumerate(outputs):
            assert f"f{i:02d} line 199" in output and len(output) > 14_000
        stubbed = [body for body in requests if "left out to save context" in request_text(body)]
        assert stubbed, "old outputs are stubbed before anything is summarised"
        completed = engine.of_type("compaction_completed")
        assert completed and all(e.tokens_after < e.tokens_before for e in completed)
        assert srv.summary_requests


async def test_provider_limit_error_compacts_and_retries_once(folder: WorkspaceFolder) -> None:
    """The server's window is smaller than Tether thinks and it does not say so: its 400
    `context_length_exceeded` names the window; compact, retry, carry on."""
    with ScriptedProviderServer(reading_script(12), context_window=WINDOW, report_window=False,
                                strict_tool_pairing=True) as srv:
        engine = Engine(folder, settings_for(srv, "openai", context_window=32_768))
        info = await engine.manager.create()
        result = await engine.manager.prompt(info.id, TASK)
        assert result.status == "completed", result.reason
        assert len(srv.rejected) == 1
        started = engine.of_type("compaction_started")
        assert started[0].reason == "provider_limit"
        assert engine.of_type("compaction_completed")
        assert engine.of_type("usage")[-1].context_window == WINDOW
        assert len(tool_outputs(engine, info.id)) == 12


@pytest.mark.parametrize("summary,fault", [("", None), (DEFAULT_SUMMARY, "400"),
                                           ("garbage " * 4000, None)],
                         ids=["empty", "error", "garbage"])
async def test_failing_summariser_falls_back_to_truncation(
        folder: WorkspaceFolder, summary: str, fault: str | None) -> None:
    with ScriptedProviderServer(reading_script(40), context_window=WINDOW, summary=summary,
                                summary_fault=fault, strict_tool_pairing=True) as srv:
        engine = Engine(folder, settings_for(srv, "openai"))
        info = await engine.manager.create()
        result = await engine.manager.prompt(info.id, TASK)
        assert result.status == "completed", result.reason
        assert srv.rejected == []
        types = engine.types()
        failed = types.index("compaction_failed")
        assert "context_truncated" in types[failed:]
        assert "compaction_completed" not in types
        assert all(TASK in request_text(b) for b in turn_requests(srv))
        assert len(tool_outputs(engine, info.id)) == 40


async def test_restart_after_compaction_reuses_the_summary(folder: WorkspaceFolder) -> None:
    script = reading_script(40)
    with ScriptedProviderServer(script, context_window=WINDOW, strict_tool_pairing=True) as srv:
        first = Engine(folder, settings_for(srv, "openai"))
        info = await first.manager.create()
        assert (await first.manager.prompt(info.id, TASK)).status == "completed"
        summaries = len(srv.summary_requests)
        assert summaries >= 1
        await first.manager.aclose()

        from tether.providers.script import Script, text_turn
        srv.set_script(Script([text_turn("The answer stands.")]))
        second = Engine(folder, settings_for(srv, "openai"))  # a new process, same history
        before = len(srv.requests)
        result = await second.manager.prompt(info.id, "Are you sure?")
        assert result.status == "completed", result.reason
        assert len(srv.summary_requests) == summaries  # reused, not recomputed
        body = srv.requests[before]
        assert DEFAULT_SUMMARY.splitlines()[1] in request_text(body)
        assert TASK in request_text(body) and AGENTS_TEXT in request_text(body)
        assert not second.of_type("compaction_started")


async def test_tail_load_starting_inside_a_tool_exchange_sends_a_valid_request(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    from tether.protocol.events import MessageAdded
    from tether.protocol.models import Message, TextPart, ToolCallPart, ToolResultPart
    from tether.providers.script import Script, text_turn
    from tether.store.base import DEFAULT_TAIL

    with ScriptedProviderServer(Script([text_turn("Still here.")]),
                                strict_tool_pairing=True) as srv:
        engine = Engine(workspace, settings_for(srv, "openai", context_window=128_000))
        info = await engine.manager.create()
        messages: list[Message] = [Message(id="u0", role="user", parts=[TextPart(text=TASK)],
                                           turn_id="t0")]
        for i in range(600):
            messages.append(Message(id=f"a{i}", role="assistant", turn_id="t0", parts=[
                ToolCallPart(id=f"c{i}", name="read_file", arguments={"path": "hello.py"})]))
            messages.append(Message(id=f"r{i}", role="tool", turn_id="t0", parts=[
                ToolResultPart(tool_call_id=f"c{i}", content="def greet(name): ...")]))
        messages.append(Message(id="end", role="assistant", turn_id="t0",
                                parts=[TextPart(text="Done reading.")]))
        assert (len(messages) - DEFAULT_TAIL) % 2 == 0  # the tail starts at a tool result
        engine.store.append(info.id, [MessageAdded(session_id=info.id, turn_id="t0", seq=i + 1,
                                                   message=m) for i, m in enumerate(messages)],
                            sync=True)
        fresh = Engine(workspace, settings_for(srv, "openai", context_window=128_000))
        result = await fresh.manager.prompt(info.id, "What next?")
        assert result.status == "completed", result.reason
        body = srv.requests[-1]
        assert body["messages"][0]["role"] != "tool"
        assert TASK in request_text(body)  # the first message is pinned though not loaded


async def test_step_limit_checkpoint_and_continue_after_restart(
        folder: WorkspaceFolder) -> None:
    from tether.errors import InvalidParamsError

    with ScriptedProviderServer(reading_script(5, final="All five read."),
                                strict_tool_pairing=True) as srv:
        first = Engine(folder, settings_for(srv, "openai", max_steps=3, context_window=64_000))
        info = await first.manager.create()
        result = await first.manager.prompt(info.id, TASK)
        assert result.status == "step_limit"
        checkpoint = first.of_type("checkpoint")[0]
        assert checkpoint.task == TASK and len(checkpoint.done) == 3
        assert "read_file" in checkpoint.done[0] and "f00.txt" in checkpoint.done[0]
        assert first.types().index("checkpoint") < first.types().index("step_limit_reached")
        await first.manager.aclose()

        second = Engine(folder, settings_for(srv, "openai", max_steps=3, context_window=64_000))
        assert (await second.manager.context(info.id)).can_continue
        result = await second.manager.continue_turn(info.id)
        assert result.status == "completed" and result.text == "All five read."
        prompt = second.of_type("turn_started")[0].prompt
        assert "Continue the task" in prompt and "f02.txt" in prompt
        with pytest.raises(InvalidParamsError):
            await second.manager.continue_turn(info.id)


async def test_pins_survive_and_unpin_removes(folder: WorkspaceFolder) -> None:
    from tether.providers.script import Script, text_turn

    with ScriptedProviderServer(Script([text_turn("ok"), text_turn("ok"), text_turn("ok")]),
                                strict_tool_pairing=True) as srv:
        engine = Engine(folder, settings_for(srv, "openai", context_window=64_000))
        info = await engine.manager.create()
        pin_id = await engine.manager.pin(info.id, "Never touch the vendored/ directory.")
        await engine.manager.prompt(info.id, "hi")
        assert "Never touch the vendored/ directory." in request_text(srv.requests[-1])
        restarted = Engine(folder, settings_for(srv, "openai", context_window=64_000))
        await restarted.manager.prompt(info.id, "again")
        assert "Never touch the vendored/ directory." in request_text(srv.requests[-1])
        assert await restarted.manager.unpin(info.id, pin_id)
        assert not await restarted.manager.unpin(info.id, pin_id)
        await restarted.manager.prompt(info.id, "and again")
        assert "Never touch the vendored/ directory." not in request_text(srv.requests[-1])


async def test_context_breakdown_lists_rules_pins_and_sizes(folder: WorkspaceFolder) -> None:
    with ScriptedProviderServer(reading_script(3), context_window=WINDOW) as srv:
        engine = Engine(folder, settings_for(srv, "openai"))
        info = await engine.manager.create()
        await engine.manager.pin(info.id, "Keep the public API stable.")
        await engine.manager.prompt(info.id, TASK)
        ctx = await engine.manager.context(info.id)
        assert ctx.context_window == WINDOW and ctx.policy == "incremental"
        names = [s.name for s in ctx.sections]
        assert names == ["system", "tools", "rules", "pins", "summary", "messages"]
        rules = next(s for s in ctx.sections if s.name == "rules")
        assert [i.label for i in rules.items] == ["AGENTS.md"]
        pins = next(s for s in ctx.sections if s.name == "pins")
        assert len(pins.items) == 2  # the task and the pin
        assert ctx.total_tokens <= ctx.budget_tokens
        assert sum(s.tokens for s in ctx.sections) <= ctx.total_tokens + 8


async def test_figures_of_the_forty_read_turn(folder: WorkspaceFolder,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Not an assertion on timing: the sizes the server saw, for the report."""
    with ScriptedProviderServer(reading_script(40), context_window=WINDOW) as srv:
        engine = Engine(folder, settings_for(srv, "openai"))
        info = await engine.manager.create()
        await engine.manager.prompt(info.id, TASK)
        compactions = engine.of_type("compaction_completed")
        with capsys.disabled():
            print(f"\nrequests={len(srv.prompt_tokens)} max={max(srv.prompt_tokens)} "
                  f"compactions={[(c.tokens_before, c.tokens_after) for c in compactions]} "
                  f"ratio={engine.manager._states[info.id].context.calibration.ratio:.2f}")
        assert max(srv.prompt_tokens) <= WINDOW


async def test_rules_come_from_the_live_buffer_and_are_reread_every_step(
        folder: WorkspaceFolder) -> None:
    """An open, unsaved AGENTS.md is what the model sees, and an edit to it mid-turn
    reaches the next request."""
    from tether.session.manager import SessionManager
    from tether.store import open_store
    from tether.workspace.bridge import DocumentSnapshot
    from tether.workspace.disk_bridge import DiskBridge

    class LiveBuffers(DiskBridge):
        def __init__(self) -> None:
            super().__init__(auto_approve=True)
            self.agents = "Unsaved rule: tabs, never spaces."

        async def read_document(self, path: Path) -> DocumentSnapshot:
            if path.name == "AGENTS.md":
                return DocumentSnapshot(path=path, text=self.agents, version=3)
            return await super().read_document(path)

    bridge = LiveBuffers()
    with ScriptedProviderServer(reading_script(2), strict_tool_pairing=True) as srv:
        manager = SessionManager(folder, store=open_store(folder), bridge=bridge,
                                 settings=settings_for(srv, "openai", context_window=64_000))
        info = await manager.create()
        seen: list[str] = []

        def on_event(event: object) -> None:
            if getattr(event, "type", "") == "tool_call_completed":
                bridge.agents = "Edited rule: spaces after all."
            seen.append(getattr(event, "type", ""))

        manager.subscribe(on_event)
        assert (await manager.prompt(info.id, TASK)).status == "completed"
        texts = [request_text(b) for b in turn_requests(srv)]
        assert "Unsaved rule: tabs" in texts[0] and AGENTS_TEXT not in texts[0]
        assert "Edited rule: spaces after all." in texts[1]


async def test_reset_policy_sends_only_pins_summary_and_the_current_exchange(
        folder: WorkspaceFolder) -> None:
    from tether.providers.script import Script, text_turn

    with ScriptedProviderServer(Script([text_turn("first answer"), text_turn("second")]),
                                strict_tool_pairing=True) as srv:
        engine = Engine(folder, settings_for(srv, "openai", context_window=64_000,
                                             context_policy="reset"))
        info = await engine.manager.create()
        await engine.manager.prompt(info.id, TASK)
        await engine.manager.prompt(info.id, "A follow-up question")
        body = turn_requests(srv)[-1]
        assert [m["role"] for m in body["messages"] if m["role"] != "system"] == ["user"]
        assert "first answer" not in request_text(body)
        assert TASK in request_text(body)  # pinned: the task survives the reset
        ctx = await engine.manager.context(info.id)
        messages = next(s for s in ctx.sections if s.name == "messages")
        assert ctx.policy == "reset" and [i.state for i in messages.items].count("whole") == 2


async def test_a_stubbed_output_comes_back_with_recall(folder: WorkspaceFolder) -> None:
    from tether.providers.script import Script, text_turn, tool_turn

    turns = [tool_turn("read_file", {"path": f"f{i:02d}.txt"}, id=f"read{i}") for i in range(4)]
    script = Script([*turns, tool_turn("recall", {"tool_call_id": "read0"}),
                     text_turn("Found it.")])
    with ScriptedProviderServer(script, context_window=WINDOW, strict_tool_pairing=True) as srv:
        engine = Engine(folder, settings_for(srv, "openai"))
        info = await engine.manager.create()
        assert (await engine.manager.prompt(info.id, TASK)).status == "completed"
        requests = turn_requests(srv)
        assert any('recall(tool_call_id=\\"read0\\")' in request_text(b) for b in requests)
        assert "f00 line 199" in request_text(requests[-1])  # the recalled output, whole
        outputs = tool_outputs(engine, info.id)
        assert outputs[4] == outputs[0]
