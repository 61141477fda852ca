"""Steer and cancel against a turn that is writing its end, with a slowed store.

The store fixture delays every fsynced append (the turn's user message and its terminal
record are fsynced), which widens the window in which the turn is finishing. Whatever the
timing: a steer is either taken by the running turn or refused (`False`, and the client
sends it as the next prompt), never lost; every turn has exactly one terminal record.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from support.session_fakes import AnsweringBridge, FakeProvider, text_step
from tether.errors import TurnInProgressError
from tether.protocol.events import EventBase
from tether.session.manager import SessionManager
from tether.settings import Settings
from tether.store import JsonlStore, open_store
from tether.store.base import Appended
from tether.workspace.folder import WorkspaceFolder

TERMINALS = {"turn_completed", "turn_cancelled", "turn_failed", "step_limit_reached"}
ITERATIONS = 200


class SlowStore(JsonlStore):
    """A real store whose fsynced appends take longer (a slow disk), or wait for a gate."""

    def __init__(self, inner: JsonlStore, delay: float) -> None:
        super().__init__(inner.folder, inner.base)
        self.delay = delay
        self.gate: threading.Event | None = None  # when set up, terminal writes wait for it
        self.at_gate = threading.Event()

    def append(self, session_id: str, events: Sequence[EventBase | Mapping[str, Any]], *,
               sync: bool = False, number: bool = False, after_seq: int = 0) -> Appended:
        if sync:
            gate = self.gate
            if gate is not None and any(_terminal(e) for e in events):
                self.at_gate.set()
                gate.wait(10)
            time.sleep(self.delay * random.random())
        return super().append(session_id, events, sync=sync, number=number,
                              after_seq=after_seq)


def _terminal(record: EventBase | Mapping[str, Any]) -> bool:
    if isinstance(record, EventBase):
        return record.terminal
    return record.get("type") in TERMINALS


def _manager(workspace: WorkspaceFolder, store: SlowStore) -> SessionManager:
    settings = Settings(provider="openai", model="fake-model", title_generation=False,
                        context_window=100_000, max_steps=50)
    provider = FakeProvider([text_step("ok")], repeat_last=True)
    return SessionManager(workspace, store=store, settings=settings, bridge=AnsweringBridge(),
                          provider_factory=lambda _s: provider)


def _check_history(manager: SessionManager, session_id: str, steers: list[str]) -> None:
    records = list(manager.store.iter_records(session_id, from_seq=0))
    seqs = [r["seq"] for r in records]
    assert seqs == sorted(set(seqs))
    ends: dict[str, int] = {}
    for r in records:
        if r["type"] == "turn_started":
            ends.setdefault(r["turnId"], 0)
        elif r["type"] in TERMINALS:
            assert r["turnId"] in ends, "a terminal record without its turn"
            ends[r["turnId"]] += 1
    assert ends and set(ends.values()) == {1}, ends
    said = [p["text"] for r in records if r["type"] == "message_added"
            and r["message"]["role"] == "user" for p in r["message"]["parts"]]
    assert all(any(s in text for text in said) for s in steers), "a steer was lost"


async def _settle(manager: SessionManager, session_id: str) -> None:
    while manager.running_turn(session_id) is not None:
        await asyncio.sleep(0.001)


async def test_steer_and_cancel_at_random_moments(workspace: WorkspaceFolder,
                                                  data_dir: Any) -> None:
    rng = random.Random(12)
    store = SlowStore(open_store(workspace), delay=0.004)  # type: ignore[arg-type]
    manager = _manager(workspace, store)
    info = await manager.create()
    steers: list[str] = []
    try:
        for i in range(ITERATIONS):
            turn = asyncio.ensure_future(manager.prompt(info.id, f"prompt {i}"))
            await asyncio.sleep(rng.random() * 0.012)
            if rng.random() < 0.5:
                text = f"steer {i}"
                steers.append(text)
                if not await manager.steer(info.id, text):
                    await turn  # the client's answer to `queued: false`: the next prompt
                    await _settle(manager, info.id)
                    await manager.prompt(info.id, text)
            else:
                await manager.cancel(info.id)
            result = await turn
            assert result.status in ("completed", "cancelled")
            await _settle(manager, info.id)
        _check_history(manager, info.id, steers)
    finally:
        await manager.aclose()


async def test_steer_while_the_end_is_written_starts_the_next_turn(
        workspace: WorkspaceFolder, data_dir: Any) -> None:
    store = SlowStore(open_store(workspace), delay=0.0)  # type: ignore[arg-type]
    manager = _manager(workspace, store)
    info = await manager.create()
    store.gate = threading.Event()
    try:
        turn = asyncio.ensure_future(manager.prompt(info.id, "first"))
        await asyncio.to_thread(store.at_gate.wait, 10)  # the terminal record is being written
        assert await manager.steer(info.id, "late steer") is False
        with_steer = asyncio.ensure_future(manager.prompt(info.id, "late steer"))
        assert await manager.cancel(info.id) is True  # too late to cancel: it is ending
        store.gate.set()
        assert (await turn).status == "completed"
        assert (await with_steer).status == "completed"
        _check_history(manager, info.id, ["late steer"])
    finally:
        store.gate.set()
        await manager.aclose()


async def test_a_prompt_while_a_turn_runs_is_refused(workspace: WorkspaceFolder,
                                                     data_dir: Any) -> None:
    store = SlowStore(open_store(workspace), delay=0.0)  # type: ignore[arg-type]
    manager = _manager(workspace, store)
    other = _manager(workspace, SlowStore(open_store(workspace), delay=0.0))  # type: ignore[arg-type]
    info = await manager.create()
    store.gate = threading.Event()
    try:
        turn = asyncio.ensure_future(manager.prompt(info.id, "first"))
        await asyncio.to_thread(store.at_gate.wait, 10)
        store.gate.clear()
        try:
            await other.prompt(info.id, "from another process")
        except TurnInProgressError as exc:
            assert exc.data["elsewhere"] is True
        else:
            raise AssertionError("the second writer was not refused")
        store.gate.set()
        await turn
        assert (await other.prompt(info.id, "now")).status == "completed"
        _check_history(manager, info.id, [])
    finally:
        store.gate.set()
        await manager.aclose()
        await other.aclose()
