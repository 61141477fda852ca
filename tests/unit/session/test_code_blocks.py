"""Apply to file at the engine: a code block's edit is a durable change set of its own."""

from __future__ import annotations

from pathlib import Path

from support.session_fakes import AnsweringBridge, FakeProvider, text_step
from tether.session.manager import SessionManager
from tether.settings import Settings
from tether.store import open_store
from tether.workspace.folder import WorkspaceFolder

SETTINGS = Settings(provider="openai", model="fake-model", title_generation=False,
                    context_window=100_000)
BLOCK = 'def greet(name):\n    name = name.title()\n    return f"Hello, {name}!"\n'


def _manager(workspace: WorkspaceFolder) -> SessionManager:
    provider = FakeProvider([text_step("Here you are.")])
    return SessionManager(workspace, store=open_store(workspace), settings=SETTINGS,
                          bridge=AnsweringBridge(), provider_factory=lambda _s: provider)


async def test_applied_block_is_recorded_and_undone_after_a_restart(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    hello = workspace.root / "hello.py"
    original = hello.read_text()
    manager = _manager(workspace)
    info = await manager.create()
    await manager.prompt(info.id, "title-case the name")
    result = await manager.apply_code_block(info.id, "hello.py", BLOCK, None)
    assert result.applied and result.target == "disk" and result.placement == "region"
    assert hello.read_text() == BLOCK
    assert result.change_id is not None

    again = _manager(workspace)  # a new process: the change set comes from history
    listed = await again.list_changes(info.id, result.change_id)
    [change] = listed.turns
    assert [f.path for f in change.files] == ["hello.py"]
    assert (change.files[0].added, change.files[0].removed) == (1, 0)
    undone = await again.undo_changes(info.id, result.change_id, None, None)
    assert undone.files == ["hello.py"] and hello.read_text() == original


async def test_unchanged_and_unplaceable_blocks_record_nothing(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    manager = _manager(workspace)
    info = await manager.create()
    same = await manager.apply_code_block(
        info.id, "hello.py", (workspace.root / "hello.py").read_text(), None)
    assert not same.applied and same.reason == "unchanged"
    lost = await manager.apply_code_block(info.id, "hello.py", "x = 1\ny = 2\n", None)
    assert not lost.applied and lost.reason == "no_anchor"
    assert "Insert at Cursor" in lost.message
    assert (await manager.list_changes(info.id, None)).turns == []
