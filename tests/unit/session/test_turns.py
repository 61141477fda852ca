"""The agent loop through SessionManager: events, history, tools, endings."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from support.session_fakes import HANG, text_step, tool_step
from tether.errors import ProviderUnavailableError, TurnInProgressError
from tether.protocol.events import EventBase, parse_event
from tether.protocol.methods import IndexStatusResult, PromptContext
from tether.providers.base import RetryNotice, TextChunk, ToolCallReady
from tether.session.manager import SessionManager
from tether.session.turn import CANCELLED_RESULT
from tether.workspace.folder import path_to_uri

TERMINALS = {"turn_completed", "turn_cancelled", "turn_failed", "step_limit_reached"}


def assert_well_formed(events: list[EventBase], session_id: str) -> None:
    seqs = [e.seq for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), seqs
    assert all(e.session_id == session_id for e in events)
    turns: dict[str | None, list[str]] = {}
    for e in events:
        turns.setdefault(e.turn_id, []).append(e.type)  # type: ignore[attr-defined]
    for turn_id, types in turns.items():
        if turn_id is None:
            continue
        terminal = [t for t in types if t in TERMINALS]
        assert len(terminal) == 1, (turn_id, types)


def on_disk(manager: SessionManager, session_id: str) -> list[dict[str, Any]]:
    return list(manager.store.iter_records(session_id, from_seq=0))


async def test_text_turn_streams_persists_and_completes(make_harness: Any) -> None:
    h = make_harness([text_step("Hello there, friend.")])
    info = await h.manager.create()
    result = await h.manager.prompt(info.id, "Say hello")
    assert result.status == "completed"
    assert result.text == "Hello there, friend."
    assert result.usage.total_tokens == 15
    types = h.types()
    assert types[0] == "title_changed" and types[1] == "turn_started"
    assert types[-1] == "turn_completed"
    assert "".join(e.text for e in h.events if e.type == "text_delta") == result.text
    assert_well_formed(h.events, info.id)
    durable = [e.to_wire() for e in h.events if e.durable]
    assert on_disk(h.manager, info.id) == durable
    loaded = await h.manager.load(info.id)
    assert [m.role for m in loaded.messages] == ["user", "assistant"]
    assert loaded.session.title == "Say hello"
    assert loaded.session.usage.total_tokens == 15
    assert loaded.last_seq == durable[-1]["seq"]


async def test_tool_edit_runs_and_loop_continues(make_harness: Any, workspace: Any) -> None:
    h = make_harness([
        tool_step(("read_file", {"path": "hello.py"})),
        tool_step(("edit", {"path": "hello.py", "old": "def greet(name):\n",
                            "new": "def greet(name):\n    \"\"\"Greet.\"\"\"\n"})),
        text_step("Done."),
    ])
    info = await h.manager.create()
    result = await h.manager.prompt(info.id, "Add a docstring")
    assert result.status == "completed", result.reason
    assert '"""Greet."""' in (workspace.root / "hello.py").read_text()
    edited = [e for e in h.events if e.type == "file_edited"]
    assert len(edited) == 1 and edited[0].applied and "+    \"\"\"Greet.\"\"\"" in edited[0].diff
    completed = [e for e in h.events if e.type == "tool_call_completed"]
    assert [e.success for e in completed] == [True, True]
    # the model saw the tool results on the next steps
    second = h.provider.requests[1].messages
    assert second[-1].role == "tool" and "greet" in second[-1].tool_results[0].content
    assert_well_formed(h.events, info.id)


async def test_read_only_calls_run_in_parallel(make_harness: Any) -> None:
    from tether.tools.registry import ToolRegistry

    barrier = asyncio.Barrier(2)

    class Meet:
        name = "meet"
        description = "waits for the other call"
        parameters: dict[str, Any] = {"type": "object", "properties": {}}
        read_only = True
        needs_permission = False

        def describe_call(self, args: dict[str, Any]) -> str:
            return "meet"

        async def run(self, args: dict[str, Any], ctx: Any) -> Any:
            from tether.tools.base import ToolOutcome

            await asyncio.wait_for(barrier.wait(), 5)  # deadlocks if run one by one
            return ToolOutcome("met")

    h = make_harness([tool_step(("meet", {}), ("meet", {})), text_step("ok")])
    h.manager._tools = ToolRegistry([Meet()])
    info = await h.manager.create()
    result = await h.manager.prompt(info.id, "go")
    assert result.status == "completed"
    results = [e for e in h.events if e.type == "tool_call_completed"]
    assert [r.output for r in results] == ["met", "met"]


async def test_cancel_mid_stream_keeps_partial_text_marked_interrupted(
    make_harness: Any,
) -> None:
    h = make_harness([[TextChunk("Partial ans"), TextChunk("wer"), HANG]])
    info = await h.manager.create()
    turn = asyncio.create_task(h.manager.prompt(info.id, "long answer please"))
    while "".join(e.text for e in h.events if e.type == "text_delta") != "Partial answer":
        await asyncio.sleep(0.005)
    assert await h.manager.cancel(info.id) is True
    assert await h.manager.cancel(info.id) is False  # idempotent: nothing left to cancel
    result = await turn
    assert result.status == "cancelled"
    assert h.types().count("turn_cancelled") == 1
    loaded = await h.manager.load(info.id)
    last = loaded.messages[-1]
    assert last.role == "assistant" and last.interrupted and last.text == "Partial answer"
    assert_well_formed(h.events, info.id)
    assert h.provider.closed == 1


async def test_cancel_mid_tool_gives_pending_calls_a_cancelled_result(
    make_harness: Any,
) -> None:
    from tether.tools.base import ToolOutcome
    from tether.tools.registry import ToolRegistry

    started = asyncio.Event()

    class Slow:
        name = "slow"
        description = "never finishes"
        parameters: dict[str, Any] = {"type": "object", "properties": {}}
        read_only = False
        needs_permission = False

        def describe_call(self, args: dict[str, Any]) -> str:
            return "slow"

        async def run(self, args: dict[str, Any], ctx: Any) -> ToolOutcome:
            started.set()
            await asyncio.Event().wait()
            return ToolOutcome("unreachable")

    h = make_harness([tool_step(("slow", {}), ("slow", {}))])
    h.manager._tools = ToolRegistry([Slow()])
    info = await h.manager.create()
    turn = asyncio.create_task(h.manager.prompt(info.id, "do slow things"))
    await asyncio.wait_for(started.wait(), 5)
    await h.manager.cancel(info.id)
    result = await turn
    assert result.status == "cancelled"
    loaded = await h.manager.load(info.id)
    tool_results = [p for m in loaded.messages for p in m.tool_results]
    assert len(tool_results) == 2  # both calls answered, the unstarted one too
    assert all(r.is_error and r.content == CANCELLED_RESULT for r in tool_results)
    assert_well_formed(h.events, info.id)


async def test_caller_cancellation_cancels_the_turn_and_returns_its_result(
        make_harness: Any) -> None:
    h = make_harness([[TextChunk("hi"), HANG]])
    info = await h.manager.create()
    turn = asyncio.create_task(h.manager.prompt(info.id, "x", client_message_id="c-1"))
    while "text_delta" not in h.types():
        await asyncio.sleep(0.005)
    turn.cancel()
    result = await turn  # the turn's own ending, not a CancelledError
    started = next(e for e in h.events if e.type == "turn_started")
    ended = h.events[-1]
    assert started.client_message_id == "c-1"
    assert ended.type == "turn_cancelled"
    assert result.status == "cancelled" and result.reason == ended.reason == "cancelled by user"
    assert result.turn_id == started.turn_id == ended.turn_id
    assert result.session_id == info.id and result.text == "hi"  # what was said so far
    assert h.manager.running_turn(info.id) is None
    records = list(h.store.iter_records(info.id, from_seq=0))
    assert [r.get("clientMessageId", r.get("client_message_id")) for r in records
            if r["type"] == "turn_started"] == ["c-1"]  # durable: replay carries it


async def test_a_cancelled_caller_before_the_turn_starts_is_cancelled(
        make_harness: Any) -> None:
    h = make_harness([[TextChunk("never")]])
    info = await h.manager.create()
    turn = asyncio.create_task(h.manager.prompt(info.id, "x"))
    turn.cancel()  # before the prompt even looked at the session
    with contextlib.suppress(asyncio.CancelledError):
        await turn
    assert turn.cancelled() and "turn_started" not in h.types()


async def test_step_limit(make_harness: Any) -> None:
    h = make_harness([tool_step(("list_dir", {"path": "."}))], repeat_last=True, max_steps=3)
    info = await h.manager.create()
    result = await h.manager.prompt(info.id, "loop forever")
    assert result.status == "step_limit"
    terminal = h.events[-1]
    assert terminal.type == "step_limit_reached" and terminal.steps == 3
    assert len(h.provider.requests) == 3


async def test_provider_failure_ends_turn_with_readable_reason(make_harness: Any) -> None:
    h = make_harness([[TextChunk("par"), ProviderUnavailableError("Ollama is not running.")]])
    info = await h.manager.create()
    result = await h.manager.prompt(info.id, "hi")
    assert result.status == "failed"
    assert result.reason == "Ollama is not running."
    assert [e.type for e in h.events[-2:]] == ["error", "turn_failed"]
    assert h.events[-1].code == -32003
    assert_well_formed(h.events, info.id)


async def test_stream_retry_discards_partial_output(make_harness: Any) -> None:
    h = make_harness([[TextChunk("garbage"), RetryNotice(1, "stream dropped", 0.0),
                       *text_step("clean")]])
    info = await h.manager.create()
    result = await h.manager.prompt(info.id, "hi")
    assert result.text == "clean"
    assert "stream_retry" in h.types()
    loaded = await h.manager.load(info.id)
    assert loaded.messages[-1].text == "clean"


async def test_bad_tool_calls_go_back_to_the_model(make_harness: Any) -> None:
    h = make_harness([
        [ToolCallReady(id="c1", name="read_file", arguments={}, raw_arguments="{bad",
                       arguments_error="Expecting property name"),
         ToolCallReady(id="c2", name="no_such_tool", arguments={}, raw_arguments="{}"),
         ToolCallReady(id="c3", name="read_file", arguments={}, raw_arguments="{}")],
        text_step("sorry"),
    ])
    info = await h.manager.create()
    result = await h.manager.prompt(info.id, "hi")
    assert result.status == "completed"
    results = {p.tool_call_id: p for m in h.provider.requests[1].messages
               for p in m.tool_results}
    assert all(r.is_error for r in results.values())
    assert "not valid JSON" in results["c1"].content
    assert "Unknown tool 'no_such_tool'" in results["c2"].content
    assert "path" in results["c3"].content


async def test_permission_reject_and_allow_always(make_harness: Any, workspace: Any) -> None:
    h = make_harness([
        tool_step(("run_command", {"command": "echo one > one.txt"})),
        tool_step(("run_command", {"command": "echo two > two.txt"})),
        tool_step(("run_command", {"command": "echo three > three.txt"})),
        text_step("done"),
    ], answers=["reject", "allow_always"])
    info = await h.manager.create()
    await h.manager.prompt(info.id, "run things")
    assert len(h.bridge.asked) == 2  # the third call was allowed by "allow always"
    assert not (workspace.root / "one.txt").exists()
    assert (workspace.root / "two.txt").exists() and (workspace.root / "three.txt").exists()
    resolved = [e.option for e in h.events if e.type == "permission_resolved"]
    assert resolved == ["reject", "allow_always"]
    first = [p for m in h.provider.requests[1].messages for p in m.tool_results][-1]
    assert first.is_error and "rejected" in first.content


async def test_steer_joins_at_next_step(make_harness: Any) -> None:
    gate, entered = asyncio.Event(), asyncio.Event()

    h = make_harness([tool_step(("list_dir", {"path": "."})), text_step("steered")])
    original = h.provider.stream

    async def gated(request: Any) -> Any:
        if len(h.provider.requests) == 0:
            entered.set()
            await gate.wait()
        async for event in original(request):
            yield event

    h.provider.stream = gated  # type: ignore[method-assign]
    info = await h.manager.create()
    turn = asyncio.create_task(h.manager.prompt(info.id, "list"))
    await asyncio.wait_for(entered.wait(), 5)  # the first model call is under way
    assert await h.manager.steer(info.id, "and be brief") is True
    gate.set()
    result = await turn
    assert result.text == "steered"
    first = [m.text for m in h.provider.requests[0].messages if m.role == "user"]
    second = [m.text for m in h.provider.requests[1].messages if m.role == "user"]
    assert first == ["list"]  # the step already under way is not disturbed
    assert second == ["list", "and be brief"]


async def test_second_prompt_while_running_is_refused(make_harness: Any) -> None:
    h = make_harness([[TextChunk("a"), HANG]])
    info = await h.manager.create()
    turn = asyncio.create_task(h.manager.prompt(info.id, "one"))
    while "text_delta" not in h.types():
        await asyncio.sleep(0.005)
    try:
        await h.manager.prompt(info.id, "two")
        raise AssertionError("expected TurnInProgressError")
    except TurnInProgressError:
        pass
    await h.manager.cancel(info.id)
    assert (await turn).status == "cancelled"


async def test_history_survives_a_restart_and_seq_continues(
    make_harness: Any, workspace: Any
) -> None:
    h = make_harness([text_step("first answer")])
    info = await h.manager.create()
    await h.manager.prompt(info.id, "first")
    last_seq = h.events[-1].seq
    await h.manager.aclose()
    h2 = make_harness([text_step("second answer")])
    result = await h2.manager.prompt(info.id, "second")
    assert result.status == "completed"
    assert h2.events[0].seq == last_seq + 1
    sent = h2.provider.requests[0].messages
    assert [m.text for m in sent] == ["first", "first answer", "second"]
    replayed = await h2.manager.replay(info.id, from_seq=last_seq)
    assert [e.seq for e in replayed] == [e.seq for e in h2.events if e.durable]
    assert all(parse_event(e.to_wire()) == e for e in replayed)


async def test_active_file_and_selection_are_attached(make_harness: Any, workspace: Any) -> None:
    h = make_harness([text_step("ok")])
    info = await h.manager.create()
    uri = path_to_uri(workspace.root / "hello.py")
    ctx = PromptContext.model_validate({"activeFileUri": uri, "selection": {
        "start": {"line": 1, "character": 0}, "end": {"line": 2, "character": 0}}})
    await h.manager.prompt(info.id, "explain", ctx)
    user = h.provider.requests[0].messages[0]
    files = [p for p in user.parts if p.type == "file"]
    assert files and files[0].text == '    return f"Hello, {name}!"\n'


async def test_interrupted_reply_is_marked_for_the_model(make_harness: Any) -> None:
    h = make_harness([[TextChunk("half"), HANG], text_step("ok")])
    info = await h.manager.create()
    turn = asyncio.create_task(h.manager.prompt(info.id, "one"))
    while "text_delta" not in h.types():
        await asyncio.sleep(0.005)
    await h.manager.cancel(info.id)
    await turn
    await h.manager.prompt(info.id, "two")
    sent = h.provider.requests[1].messages
    assert sent[1].role == "assistant" and "interrupted by the user" in sent[1].text


async def test_model_title_follows_the_first_turn_but_never_overrides_a_rename(
    make_harness: Any,
) -> None:
    from support.session_fakes import FakeProvider

    h = make_harness([text_step("answer"), text_step("Sorting the imports")],
                     title_generation=True)
    info = await h.manager.create()
    await h.manager.prompt(info.id, "please sort the imports in cli.py")
    await h.manager.aclose(grace=5)
    titles = [e.title for e in h.events if e.type == "title_changed"]
    assert titles == ["please sort the imports in cli.py", "Sorting the imports"]

    gate = asyncio.Event()
    slow = FakeProvider([text_step("answer")])
    h2 = make_harness([], title_generation=True)
    original = slow.stream
    calls = 0

    async def gated(request: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:  # the title request waits until the user has renamed
            await gate.wait()
            for event in text_step("Model title"):
                yield event
            return
        async for event in original(request):
            yield event

    slow.stream = gated  # type: ignore[method-assign]
    h2.manager._provider_factory = lambda _s: slow
    info2 = await h2.manager.create()
    await h2.manager.prompt(info2.id, "hello")
    await h2.manager.rename(info2.id, "My name for it")
    gate.set()
    await h2.manager.aclose(grace=5)
    loaded = await h2.manager.load(info2.id)
    assert loaded.session.title == "My name for it"


async def test_repo_map_is_built_once_per_turn_and_reaches_the_system_prompt(
    make_harness: Any,
) -> None:
    calls: list[tuple[list[str], list[str], str]] = []

    class Index:
        def status(self) -> IndexStatusResult:
            return IndexStatusResult(state="ready")

        async def search(self, query: str, limit: int = 20) -> list[Any]:
            return []

        async def search_files(self, query: str, limit: int = 20) -> list[Any]:
            return []

        async def find_symbol(self, name: str, limit: int = 20) -> list[Any]:
            return []

        async def match_paths(self, fragment: str, limit: int = 200) -> list[str]:
            return []

        async def repo_map(self, focus_files: list[str], mentioned: list[str],
                           budget_tokens: int, query: str = "") -> str:
            calls.append((focus_files, mentioned, query))
            return "hello.py\n  def greet(name)"

    h = make_harness([tool_step(("list_dir", {"path": "."})), text_step("ok")])
    h.manager.index = Index()
    info = await h.manager.create()
    await h.manager.prompt(info.id, "what does `greet` do?")
    assert len(calls) == 1 and calls[0][1] == ["greet"]
    assert calls[0][2] == "what does `greet` do?"  # the map is personalised by the message
    systems = {r.system for r in h.provider.requests}
    assert len(systems) == 1 and "def greet(name)" in systems.pop()
