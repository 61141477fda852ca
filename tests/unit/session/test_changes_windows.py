"""Two managers on one session (two windows: two processes' worth of state) and undo.

Each manager caches the session's change ledger. What one undoes reaches the other's
ledger through the catch-up path, an undo racing the other window's undo of the same
change waits for it and then answers "already undone", and what the user undid is told
to the model once, by whichever window runs the next turn.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from support.session_fakes import HANG, AnsweringBridge, FakeProvider, text_step, tool_step
from tether.errors import InvalidParamsError, TurnInProgressError
from tether.protocol.events import EventBase
from tether.session.manager import SessionManager
from tether.settings import Settings
from tether.store import open_store
from tether.store.base import SessionStore
from tether.store.jsonl import JsonlStore
from tether.workspace.bridge import EditOutcome, FileEdit
from tether.workspace.folder import WorkspaceFolder

SETTINGS = Settings(provider="openai", model="fake-model", title_generation=False,
                    context_window=100_000)
EDIT = ("edit", {"path": "hello.py", "old": "Hello", "new": "Hi"})


class GatedBridge(AnsweringBridge):
    """Holds every write while `gate` is set and closed: an undo caught mid-revert."""

    def __init__(self) -> None:
        super().__init__()
        self.gate: asyncio.Event | None = None
        self.entered = asyncio.Event()

    async def apply_edit(self, edit: FileEdit) -> EditOutcome:
        if self.gate is not None:
            self.entered.set()
            await self.gate.wait()
        return await super().apply_edit(edit)


class SlowReadStore(JsonlStore):
    """Reads a whole history, then waits for `release`: a ledger being built while
    another window appends."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read = threading.Event()
        self.release: threading.Event | None = None

    def iter_records(self, session_id: str, *, from_seq: int = 0) -> Iterator[dict[str, Any]]:
        records = list(super().iter_records(session_id, from_seq=from_seq))
        if self.release is not None:
            self.read.set()
            self.release.wait(20)
        return iter(records)


def window(workspace: WorkspaceFolder, provider: FakeProvider,
           bridge: AnsweringBridge | None = None,
           store: SessionStore | None = None) -> SessionManager:
    return SessionManager(workspace, store=store or open_store(workspace), settings=SETTINGS,
                          bridge=bridge or AnsweringBridge(),
                          provider_factory=lambda _s: provider)


async def until(condition: Callable[[], bool]) -> None:
    """Wait for `condition` (a generous bound, never a timing assertion)."""
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), 20)


def stored(manager: SessionManager, session_id: str, kind: str) -> list[dict[str, Any]]:
    return [r for r in manager.store.iter_records(session_id) if r.get("type") == kind]


async def test_racing_undo_in_the_other_window_waits_and_answers_already_undone(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    path = workspace.root / "hello.py"
    original = path.read_text()
    gated = GatedBridge()
    a = window(workspace, FakeProvider([tool_step(EDIT), text_step("Done.")]), gated)
    b = window(workspace, FakeProvider([]))
    info = await a.create()
    turn = (await a.prompt(info.id, "shorter")).turn_id
    listed = await b.list_changes(info.id, turn)
    assert [h.state for h in listed.turns[0].files[0].hunks] == ["applied"]

    gated.gate = asyncio.Event()
    first = asyncio.create_task(a.undo_changes(info.id, turn, None, None))
    await gated.entered.wait()  # A is reverting the file now
    second = asyncio.create_task(b.undo_changes(info.id, turn, "hello.py", None))
    await asyncio.wait({second}, timeout=0.5)  # B goes as far as it can meanwhile
    gated.gate.set()

    assert (await first).files == ["hello.py"]
    with pytest.raises(InvalidParamsError, match="already undone"):
        await second
    assert path.read_text() == original
    assert len(stored(a, info.id, "change_undone")) == 1


async def test_an_undo_in_one_window_is_told_once_by_the_window_that_runs_next(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    a_provider = FakeProvider([tool_step(EDIT), text_step("Done."), text_step("Later.")])
    b_provider = FakeProvider([text_step("Noted.")])
    a, b = window(workspace, a_provider), window(workspace, b_provider)
    info = await a.create()
    turn = (await a.prompt(info.id, "shorter")).turn_id
    await b.list_changes(info.id, turn)  # B's ledger is built before the undo
    await a.undo_changes(info.id, turn, None, None)

    await b.prompt(info.id, "what now?")
    told = json.dumps([m.text for m in b_provider.requests[-1].messages])
    assert told.count("undid your change to hello.py") == 1
    await a.prompt(info.id, "and now?")
    told = json.dumps([m.text for m in a_provider.requests[-1].messages])
    assert told.count("undid your change to hello.py") == 1  # B's turn said it; not again


async def test_an_undo_caught_up_while_the_ledger_is_being_built_counts(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    a = window(workspace, FakeProvider([tool_step(EDIT), text_step("Done.")]))
    plain = open_store(workspace)
    assert isinstance(plain, JsonlStore)
    slow = SlowReadStore(workspace, plain.base)
    b = window(workspace, FakeProvider([]), store=slow)
    seen: list[EventBase] = []
    b.subscribe(seen.append)
    info = await a.create()
    turn = (await a.prompt(info.id, "shorter")).turn_id
    await b.replay(info.id)  # B holds the session; its ledger is not built yet

    slow.release = threading.Event()
    listing = asyncio.create_task(b.list_changes(info.id, turn))
    await asyncio.to_thread(slow.read.wait, 20)  # B has read the history, edit applied
    await a.undo_changes(info.id, turn, None, None)
    loading = asyncio.create_task(b.load(info.id))  # catches up: B is told of the undo
    try:
        await until(lambda: any(e.type == "change_undone" for e in seen))  # type: ignore[attr-defined]
    finally:
        slow.release.set()

    listed = await listing
    assert [h.state for h in listed.turns[0].files[0].hunks] == ["undone"]
    await loading


async def test_rewind_waits_for_no_turn_in_the_other_window(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    a = window(workspace, FakeProvider([tool_step(EDIT), text_step("Done."), [HANG]]))
    b = window(workspace, FakeProvider([]))
    info = await a.create()
    turn = (await a.prompt(info.id, "shorter")).turn_id
    running = asyncio.create_task(a.prompt(info.id, "keep going"))
    await until(lambda: a.running_turn(info.id) is not None)
    with pytest.raises(TurnInProgressError) as refused:
        await b.rewind(info.id, turn)  # A's running turn would be rewound under it
    assert refused.value.data == {"sessionId": info.id, "elsewhere": True}
    await a.cancel(info.id)
    assert (await running).status == "cancelled"
    rewound = await b.rewind(info.id, turn)
    assert rewound.restored == ["hello.py"]
    assert stored(b, info.id, "turn_rewound")[0]["rewoundTurnIds"][0] == turn
