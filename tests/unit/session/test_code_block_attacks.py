"""Apply to file under attack: targets that are not text files of the folder, blocks
that are empty or oddly ended, applies that race. Each gets a clear answer and loses
nothing: no byte of the target changes and no change set is recorded for nothing."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from support.session_fakes import AnsweringBridge, FakeProvider, text_step
from tether.errors import InvalidParamsError, PathOutsideWorkspaceError, TetherError
from tether.session.manager import SessionManager
from tether.settings import Settings
from tether.store import open_store
from tether.workspace.folder import WorkspaceFolder

SETTINGS = Settings(provider="openai", model="fake-model", title_generation=False,
                    context_window=100_000, max_file_bytes=4096)
CALC = "def add(a, b):\n    return a + b\n\ndef area(r):\n    pi = 3.14\n    return pi * r * r\n"
BLOCK = "def area(r):\n    pi = 3.14159\n    return pi * r * r\n"


def _manager(workspace: WorkspaceFolder, settings: Settings = SETTINGS) -> SessionManager:
    provider = FakeProvider([text_step("Here you are.")])
    return SessionManager(workspace, store=open_store(workspace), settings=settings,
                          bridge=AnsweringBridge(), provider_factory=lambda _s: provider)


async def _refused(manager: SessionManager, sid: str, target: str, code: str = BLOCK,
                   ) -> TetherError:
    with pytest.raises(TetherError) as refused:
        await manager.apply_code_block(sid, target, code, None)
    assert (await manager.list_changes(sid, None)).turns == []
    return refused.value


async def test_a_fifo_is_refused_without_opening_it(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    os.mkfifo(workspace.root / "pipe.py")
    manager = _manager(workspace)
    sid = (await manager.create()).id
    error = await asyncio.wait_for(_refused(manager, sid, "pipe.py"), 10)
    assert error.message.startswith("pipe.py is") and "FIFO" in error.message


async def test_a_directory_is_refused(workspace: WorkspaceFolder, data_dir: Path) -> None:
    (workspace.root / "pkg").mkdir()
    manager = _manager(workspace)
    sid = (await manager.create()).id
    error = await _refused(manager, sid, "pkg")
    assert error.message.startswith("pkg is") and "directory" in error.message
    assert list((workspace.root / "pkg").iterdir()) == []


async def test_a_symlink_out_of_the_folder_is_refused(
        workspace: WorkspaceFolder, data_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text(CALC)
    (workspace.root / "link.py").symlink_to(outside)
    manager = _manager(workspace)
    sid = (await manager.create()).id
    error = await _refused(manager, sid, "link.py")
    assert isinstance(error, PathOutsideWorkspaceError)
    assert outside.read_text() == CALC


async def test_a_file_over_the_size_cap_is_refused_naming_the_cap(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    big = workspace.root / "big.py"
    text = CALC + "# filler\n" * 600  # over the 4 KiB maxFileBytes of these settings
    big.write_text(text)
    manager = _manager(workspace)
    sid = (await manager.create()).id
    error = await _refused(manager, sid, "big.py")
    assert "big.py" in error.message and "maxFileBytes" in error.message
    assert big.read_text() == text


async def test_a_block_that_would_grow_a_file_over_the_cap_is_refused(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    (workspace.root / "calc.py").write_text(CALC)
    manager = _manager(workspace)
    sid = (await manager.create()).id
    huge = "def area(r):\n" + "    x = 1\n" * 600 + "    return pi * r * r\n"
    error = await _refused(manager, sid, "calc.py", huge)
    assert "maxFileBytes" in error.message
    assert (workspace.root / "calc.py").read_text() == CALC


async def test_a_binary_file_is_refused(workspace: WorkspaceFolder, data_dir: Path) -> None:
    blob = workspace.root / "data.bin"
    blob.write_bytes(b"\xff\xfe\x00binary\x00")
    manager = _manager(workspace)
    sid = (await manager.create()).id
    error = await _refused(manager, sid, "data.bin")
    assert "not UTF-8" in error.message
    assert blob.read_bytes() == b"\xff\xfe\x00binary\x00"


async def test_an_empty_block_is_refused(workspace: WorkspaceFolder, data_dir: Path) -> None:
    manager = _manager(workspace)
    sid = (await manager.create()).id
    for code in ("", "\n\n", "   \n"):
        result = await manager.apply_code_block(sid, "hello.py", code, None)
        assert not result.applied and "empty" in result.message
        new = await manager.apply_code_block(sid, "new.py", code, None)
        assert not new.applied and not (workspace.root / "new.py").exists()
    assert (await manager.list_changes(sid, None)).turns == []


async def test_an_lf_block_keeps_a_crlf_file_crlf(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    path = workspace.root / "calc.py"
    path.write_bytes(CALC.replace("\n", "\r\n").encode())
    manager = _manager(workspace)
    sid = (await manager.create()).id
    result = await manager.apply_code_block(sid, "calc.py", BLOCK, None)
    assert result.applied, result
    assert path.read_bytes() == CALC.replace("3.14\n", "3.14159\n").replace(
        "\n", "\r\n").encode()
    crlf = await manager.apply_code_block(sid, "hello.py", 'def greet(name):\r\n'
                                          '    name = name.strip()\r\n'
                                          '    return f"Hello, {name}!"\r\n', None)
    assert crlf.applied
    assert b"\r" not in (workspace.root / "hello.py").read_bytes()


async def test_a_relative_path_with_dotdot_inside_the_folder_is_applied(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    (workspace.root / "pkg").mkdir()
    (workspace.root / "calc.py").write_text(CALC)
    manager = _manager(workspace)
    sid = (await manager.create()).id
    result = await manager.apply_code_block(sid, "pkg/../calc.py", BLOCK, None)
    assert result.applied and result.path == "calc.py"
    assert "3.14159" in (workspace.root / "calc.py").read_text()


async def test_a_uri_outside_the_folder_is_refused(
        workspace: WorkspaceFolder, data_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "calc.py").write_text(CALC)
    manager = _manager(workspace)
    sid = (await manager.create()).id
    error = await _refused(manager, sid, (other / "calc.py").as_uri())
    assert isinstance(error, PathOutsideWorkspaceError)
    assert (other / "calc.py").read_text() == CALC


async def test_two_applies_racing_on_one_file_land_one_after_the_other(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    path = workspace.root / "calc.py"
    path.write_text(CALC)
    manager = _manager(workspace)
    sid = (await manager.create()).id
    other = "def add(a, b):\n    # the sum\n    return a + b\n"
    first, second = await asyncio.gather(
        manager.apply_code_block(sid, "calc.py", BLOCK, None),
        manager.apply_code_block(sid, "calc.py", other, None))
    assert first.applied and second.applied, (first, second)
    both = CALC.replace("3.14\n", "3.14159\n").replace("b):\n", "b):\n    # the sum\n")
    assert path.read_text() == both
    listed = await manager.list_changes(sid, None)
    # Which apply takes the file's lock first is the scheduler's choice; each is its own set.
    assert sorted(t.turn_id for t in listed.turns) == sorted([first.change_id, second.change_id])
    undone = await manager.undo_changes(sid, str(first.change_id), None, None)
    assert undone.files == ["calc.py"] and not undone.conflicts
    assert path.read_text() == CALC.replace("b):\n", "b):\n    # the sum\n")


async def test_a_path_with_a_nul_character_is_bad_params(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    manager = _manager(workspace)
    sid = (await manager.create()).id
    for target in ("hello.py\x00.txt", (workspace.root / "hello.py").as_uri() + "%00.txt"):
        error = await _refused(manager, sid, target)
        assert isinstance(error, InvalidParamsError) and "NUL" in error.message


async def test_a_version_for_a_buffer_the_server_has_not_seen_writes_nothing(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    """The editor says the file is open (at version 3), the server holds no buffer for it:
    the disk may be under a dirty buffer, so nothing is written there."""
    (workspace.root / "calc.py").write_text(CALC)
    manager = _manager(workspace)
    sid = (await manager.create()).id
    result = await manager.apply_code_block(sid, "calc.py", BLOCK, 3)
    assert not result.applied and result.reason == "stale", result
    assert "apply it again" in result.message
    assert (workspace.root / "calc.py").read_text() == CALC
    assert (await manager.list_changes(sid, None)).turns == []
