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


def _user_texts(provider: FakeProvider, request: int) -> list[str]:
    return [part.text for m in provider.requests[request].messages if m.role == "user"
            for part in m.parts if hasattr(part, "text")]


async def test_the_model_hears_once_of_an_applied_block_and_of_its_undo(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    provider = FakeProvider([text_step("Here you are."), text_step("Seen."),
                             text_step("Noted."), text_step("Again.")])
    manager = SessionManager(workspace, store=open_store(workspace), settings=SETTINGS,
                             bridge=AnsweringBridge(), provider_factory=lambda _s: provider)
    info = await manager.create()
    await manager.prompt(info.id, "title-case the name")
    result = await manager.apply_code_block(info.id, "hello.py", BLOCK, None)
    assert result.change_id is not None
    await manager.prompt(info.id, "thanks")
    applied = [t for t in _user_texts(provider, 1) if "code block" in t]
    assert applied == ["The user applied a code block from the chat to hello.py (lines 1-2); "
                       "the file holds it now."]
    await manager.undo_changes(info.id, result.change_id, None, None)
    await manager.prompt(info.id, "hm")
    said = [t for t in _user_texts(provider, 2) if "undid" in t]
    assert said == ["The user undid the code block they had applied to hello.py line 2; "
                    "the file no longer holds it."]
    assert not any("your change" in t for t in _user_texts(provider, 2))
    await manager.prompt(info.id, "and now?")
    assert sum("code block" in t for t in _user_texts(provider, 3)) == 2  # said once each


async def test_a_block_applied_before_a_restart_is_told_after_it(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    manager = _manager(workspace)
    info = await manager.create()
    applied = await manager.apply_code_block(info.id, "hello.py", BLOCK, None)
    assert applied.applied
    provider = FakeProvider([text_step("Seen.")])
    again = SessionManager(workspace, store=open_store(workspace), settings=SETTINGS,
                           bridge=AnsweringBridge(), provider_factory=lambda _s: provider)
    await again.prompt(info.id, "what changed?")
    assert any("applied a code block from the chat to hello.py" in t
               for t in _user_texts(provider, 0))
