"""The user types in a file between two agent edits of one turn: undo keeps the typing.

The second edit lands on the typed text, so the turn's span (first before → last after)
would hold the user's line too; undoing the turn, one of its hunks, or rewinding it must
take back only what the agent changed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from support.session_fakes import AnsweringBridge, FakeProvider, text_step, tool_step
from tether.providers.base import ChatRequest, ProviderEvent
from tether.session.changeset import ChangeLedger
from tether.session.manager import SessionManager
from tether.settings import Settings
from tether.store import open_store
from tether.workspace.folder import WorkspaceFolder

SETTINGS = Settings(provider="openai", model="fake-model", title_generation=False,
                    context_window=100_000)
CALC = "".join(f"v{i} = {i}\n" for i in range(1, 11))
TYPED = "# the user's note\n"


class TypingProvider(FakeProvider):
    """Runs `between` just before it answers request `at` (after the earlier tool ran)."""

    def __init__(self, steps: list[list[Any]], at: int, between: Callable[[], None]) -> None:
        super().__init__(steps)
        self.at, self.between = at, between

    async def stream(self, request: ChatRequest) -> AsyncIterator[ProviderEvent]:
        if len(self.requests) == self.at:
            self.between()
        async for event in super().stream(request):
            yield event


def edit(old: str, new: str) -> tuple[str, dict[str, Any]]:
    return ("edit", {"path": "calc.py", "old": old, "new": new})


async def turn(workspace: WorkspaceFolder, *, typing: bool,
               edits: int = 2) -> tuple[SessionManager, str, str, Path]:
    path = workspace.root / "calc.py"
    path.write_text(CALC)

    def user_types() -> None:
        path.write_text(path.read_text().replace("v5 = 5\n", "v5 = 5\n" + TYPED))

    steps = [tool_step(edit("v2 = 2", "v2 = 20")), tool_step(edit("v9 = 9", "v9 = 90"))]
    provider = TypingProvider([*steps[:edits], text_step("Done.")], 1 if typing else -1,
                              user_types)
    manager = SessionManager(workspace, store=open_store(workspace), settings=SETTINGS,
                             bridge=AnsweringBridge(), provider_factory=lambda _s: provider)
    info = await manager.create()
    result = await manager.prompt(info.id, "change two values")
    return manager, info.id, result.turn_id, path


AGENT = CALC.replace("v2 = 2\n", "v2 = 20\n").replace("v9 = 9\n", "v9 = 90\n")
WITH_TYPING = AGENT.replace("v5 = 5\n", "v5 = 5\n" + TYPED)
CALC_TYPED = CALC.replace("v5 = 5\n", "v5 = 5\n" + TYPED)


async def test_undoing_the_file_keeps_what_the_user_typed_between_the_edits(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    manager, sid, turn_id, path = await turn(workspace, typing=True)
    assert path.read_text() == WITH_TYPING
    (change,) = (await manager.list_changes(sid, turn_id)).turns[0].files
    assert [h.added for h in change.hunks] == [["v2 = 20"], ["v9 = 90"]]  # only the agent's
    result = await manager.undo_changes(sid, turn_id, "calc.py", None)
    assert result.conflicts == [] and path.read_text() == CALC_TYPED


async def test_undoing_one_agent_hunk_keeps_the_typing_and_the_other_hunk(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    manager, sid, turn_id, path = await turn(workspace, typing=True)
    hunks = (await manager.list_changes(sid, turn_id)).turns[0].files[0].hunks
    result = await manager.undo_changes(sid, turn_id, "calc.py", hunks[1].id)
    assert result.undone == [hunks[1].id]
    assert path.read_text() == CALC_TYPED.replace("v2 = 2\n", "v2 = 20\n")
    again = (await manager.list_changes(sid, turn_id)).turns[0].files[0].hunks
    assert [(h.id, h.state) for h in again] == [(hunks[0].id, "applied"),
                                                (hunks[1].id, "undone")]


async def test_rewinding_the_turn_keeps_the_typing_also_after_a_restart(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    _manager, sid, turn_id, path = await turn(workspace, typing=True)
    fresh = SessionManager(workspace, store=open_store(workspace), settings=SETTINGS,
                           bridge=AnsweringBridge(),
                           provider_factory=lambda _s: FakeProvider([]))
    rewound = await fresh.rewind(sid, turn_id)
    assert rewound.conflicts == [] and rewound.restored == ["calc.py"]
    assert path.read_text() == CALC_TYPED


async def test_two_edits_without_typing_undo_as_one_span(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    manager, sid, turn_id, path = await turn(workspace, typing=False)
    records = [r for r in manager.store.iter_records(sid) if r["type"] == "file_edited"]
    assert len({r["beforeBlob"] for r in records}) == 1  # no new copy: nothing typed
    result = await manager.undo_changes(sid, turn_id, "calc.py", None)
    assert len(result.undone) == 2 and path.read_text() == CALC


async def test_one_edit_undoes_as_before(workspace: WorkspaceFolder, data_dir: Path) -> None:
    manager, sid, turn_id, path = await turn(workspace, typing=False, edits=1)
    rewound = await manager.rewind(sid, turn_id)
    assert rewound.restored == ["calc.py"] and path.read_text() == CALC


def test_the_ledger_takes_a_later_edits_before_and_keeps_older_history_as_it_was() -> None:
    def edited(before: str | None, after: str) -> dict[str, Any]:
        return {"type": "file_edited", "turnId": "t1", "applied": True, "path": "calc.py",
                "beforeBlob": before, "afterBlob": after}

    old = ChangeLedger.from_records([edited("b0", "a1"), edited("b0", "a2")])
    assert (old.turns["t1"].files["calc.py"].before_blob,
            old.turns["t1"].files["calc.py"].after_blob) == ("b0", "a2")
    new = ChangeLedger.from_records([edited("b0", "a1"), edited("b1", "a2"),
                                     edited(None, "a3")])
    change = new.turns["t1"].files["calc.py"]
    assert (change.before_blob, change.after_blob) == ("b1", "a3")


async def test_rewinding_two_turns_keeps_what_the_user_typed_between_them(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    path = workspace.root / "calc.py"
    path.write_text(CALC)
    provider = FakeProvider([tool_step(edit("v2 = 2", "v2 = 20")), text_step("One."),
                             tool_step(edit("v9 = 9", "v9 = 90")), text_step("Two.")])
    manager = SessionManager(workspace, store=open_store(workspace), settings=SETTINGS,
                             bridge=AnsweringBridge(), provider_factory=lambda _s: provider)
    info = await manager.create()
    first = (await manager.prompt(info.id, "one")).turn_id
    path.write_text(path.read_text().replace("v5 = 5\n", "v5 = 5\n" + TYPED))
    await manager.prompt(info.id, "two")
    rewound = await manager.rewind(info.id, first)
    assert rewound.conflicts == [] and path.read_text() == CALC_TYPED
