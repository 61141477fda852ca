"""Closing a turn whose process ended: the plan, and the manager applying it on load."""

from __future__ import annotations

import itertools
from typing import Any

from tether.protocol.events import MessageAdded, MessageCheckpoint, StreamRetry, TurnStarted
from tether.protocol.models import Message, TextPart, ToolCallPart
from tether.session.manager import SessionManager
from tether.session.recovery import INTERRUPTED_REASON, plan_recovery
from tether.store import open_store
from tether.workspace.folder import WorkspaceFolder

SID = "0123456789abcdef"


def _ids() -> Any:
    counter = itertools.count(1)
    return lambda: f"new{next(counter)}"


def _wire(*events: Any) -> list[dict[str, Any]]:
    return [e.to_wire() for e in events]


def _started() -> TurnStarted:
    return TurnStarted(session_id=SID, turn_id="t1", prompt="p")


def _checkpoint(mid: str, text: str) -> MessageCheckpoint:
    return MessageCheckpoint(session_id=SID, turn_id="t1", message_id=mid, text=text)


def test_a_finished_turn_needs_nothing() -> None:
    from tether.protocol.events import TurnCompleted
    assert plan_recovery(_wire(_started(), TurnCompleted(session_id=SID, turn_id="t1")),
                         _ids()) is None
    assert plan_recovery([], _ids()) is None


def test_checkpoints_of_the_streaming_message_are_joined() -> None:
    plan = plan_recovery(_wire(_started(), _checkpoint("m1", "Hello, "),
                               _checkpoint("m1", "world")), _ids())
    assert plan is not None and plan.turn_id == "t1" and plan.reason == INTERRUPTED_REASON
    [message] = plan.messages
    assert (message.id, message.text, message.interrupted) == ("m1", "Hello, world", True)


def test_a_partial_dropped_by_a_retry_is_not_kept() -> None:
    retry = StreamRetry(session_id=SID, turn_id="t1", attempt=1, reason="x",
                        discard_message_id="m1")
    plan = plan_recovery(_wire(_started(), _checkpoint("m1", "dropped"), retry), _ids())
    assert plan is not None and plan.messages == []
    plan = plan_recovery(_wire(_started(), _checkpoint("m1", "dropped"), retry,
                               _checkpoint("m2", "kept")), _ids())
    assert plan is not None and [m.text for m in plan.messages] == ["kept"]


def test_tool_calls_left_without_results_get_one() -> None:
    call = Message(id="a1", role="assistant", turn_id="t1",
                   parts=[TextPart(text="let me look"),
                          ToolCallPart(id="c1", name="read_file", arguments={})])
    plan = plan_recovery(_wire(_started(), MessageAdded(session_id=SID, turn_id="t1",
                                                        message=call)), _ids())
    assert plan is not None
    [result] = plan.messages
    assert result.role == "tool" and result.parts[0].tool_call_id == "c1"  # type: ignore[union-attr]


async def test_load_closes_an_unfinished_turn_once_and_not_while_it_runs(
        workspace: WorkspaceFolder, data_dir: Any, make_harness: Any) -> None:
    h = make_harness([])
    info = await h.manager.create()
    h.store.append(info.id, [TurnStarted(session_id=info.id, turn_id="t1", prompt="p"),
                             MessageCheckpoint(session_id=info.id, turn_id="t1",
                                               message_id="m1", text="half an ans")],
                   number=True)
    running = open_store(workspace).turn_lease(info.id)  # another process's turn
    assert running is not None
    other = SessionManager(workspace, store=open_store(workspace), settings=h.manager.settings,
                           bridge=h.bridge)
    loaded = await other.load(info.id)
    assert loaded.messages == []  # its turn is running: nothing to recover
    running.release()
    third = SessionManager(workspace, store=open_store(workspace), settings=h.manager.settings,
                           bridge=h.bridge)
    loaded = await third.load(info.id)
    assert [(m.text, m.interrupted) for m in loaded.messages] == [("half an ans", True)]
    fourth = SessionManager(workspace, store=open_store(workspace), settings=h.manager.settings,
                            bridge=h.bridge)
    await fourth.load(info.id)
    records = list(h.store.iter_records(info.id))
    assert [r["type"] for r in records] == ["turn_started", "message_checkpoint",
                                            "message_added", "turn_failed"]
    assert [r["seq"] for r in records] == [1, 2, 3, 4]
    for m in (other, third, fourth):
        await m.aclose()


async def test_a_turn_whose_process_died_after_we_loaded_is_closed_by_our_next_prompt(
        workspace: WorkspaceFolder, data_dir: Any, make_harness: Any) -> None:
    from support.session_fakes import FakeProvider, text_step

    h = make_harness([])
    info = await h.manager.create()
    running = open_store(workspace).turn_lease(info.id)  # another process starts a turn
    assert running is not None
    h.store.append(info.id, [TurnStarted(session_id=info.id, turn_id="t1", prompt="p")],
                   number=True)
    provider = FakeProvider([text_step("fresh answer")])
    other = SessionManager(workspace, store=open_store(workspace), settings=h.manager.settings,
                           bridge=h.bridge, provider_factory=lambda _s: provider)
    await other.load(info.id)  # while it runs: nothing to recover
    running.release()  # ... and then it dies without an ending
    result = await other.prompt(info.id, "go on")
    assert result.status == "completed"
    kinds = [(r["type"], r.get("turnId")) for r in h.store.iter_records(info.id)]
    assert kinds[:2] == [("turn_started", "t1"), ("turn_failed", "t1")]
    assert "turn_started" in [k for k, _ in kinds[2:]] and kinds[-1][0] == "turn_completed"
    await other.aclose()
