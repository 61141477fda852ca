"""The one collection of open folders: routing by session, folder URI and path; closing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from support.session_fakes import AnsweringBridge
from tether.errors import FolderNotInWorkspaceError, SessionNotFoundError
from tether.session.manager import SessionManager
from tether.session.workspaces import Workspace, Workspaces
from tether.settings import Settings
from tether.store import open_store
from tether.workspace.folder import WorkspaceFolder


class ClosingIndex:
    """Stands in for WorkspaceIndex where only `aclose` is asked of it."""

    closed = False

    async def aclose(self) -> None:
        self.closed = True


def _open(folder: WorkspaceFolder) -> Workspace:
    manager = SessionManager(folder, store=open_store(folder),
                             settings=Settings(title_generation=False), bridge=AnsweringBridge())
    return Workspace(folder, manager, ClosingIndex())  # type: ignore[arg-type]


def _folder(tmp_path: Path, name: str) -> WorkspaceFolder:
    (tmp_path / name).mkdir(parents=True)
    return WorkspaceFolder.at(tmp_path / name)


async def test_a_session_is_found_in_its_own_folder(tmp_path: Path, data_dir: Path) -> None:
    folders = Workspaces(_open)
    a, b = folders.add(_folder(tmp_path, "a")), folders.add(_folder(tmp_path, "b"))
    info = await b.manager.create("in b")
    assert folders.for_session(info.id) is b
    assert folders.add(b.folder) is b  # a folder added twice is one workspace
    with pytest.raises(SessionNotFoundError) as err:
        folders.for_session("nope")
    assert err.value.data == {"sessionId": "nope"}
    assert [w.folder for w in folders] == [a.folder, b.folder]
    await folders.aclose()


async def test_folders_by_uri_or_path_and_refusals(tmp_path: Path, data_dir: Path) -> None:
    folders = Workspaces(_open)
    a = folders.add(_folder(tmp_path, "a"))
    assert folders.for_folder_uri(a.folder.uri) is a
    assert folders.for_folder_uri(str(a.folder.root)) is a
    other = (tmp_path / "other").as_uri()
    with pytest.raises(FolderNotInWorkspaceError) as err:
        folders.for_folder_uri(other)
    assert err.value.data == {"folder": other}
    with pytest.raises(FolderNotInWorkspaceError):
        folders.for_folder_uri("https://example.com/x")
    await folders.aclose()


async def test_a_path_belongs_to_the_innermost_folder(tmp_path: Path, data_dir: Path) -> None:
    folders = Workspaces(_open)
    outer = folders.add(_folder(tmp_path, "outer"))
    inner = folders.add(_folder(tmp_path, "outer/inner"))
    assert folders.for_path(inner.folder.root / "x.py") is inner
    assert folders.for_path(outer.folder.root / "y.py") is outer
    assert folders.for_path(tmp_path / "elsewhere.py") is None
    await folders.aclose()


async def test_a_detached_folder_is_gone_at_once_and_closes_later(
        tmp_path: Path, data_dir: Path) -> None:
    folders = Workspaces(_open)
    a = folders.add(_folder(tmp_path, "a"))
    info = await a.manager.create("in a")
    work = a.spawn(asyncio.sleep(60), "index build")
    closing = folders.detach(a.folder)
    assert closing is not None
    with pytest.raises(SessionNotFoundError):
        folders.for_session(info.id)
    with pytest.raises(FolderNotInWorkspaceError):
        folders.for_folder_uri(a.folder.uri)
    assert folders.for_path(a.folder.root / "x.py") is None
    await closing
    assert work.cancelled()
    assert isinstance(a.index, ClosingIndex) and a.index.closed
    assert folders.detach(a.folder) is None


async def test_close_closes_every_folder(tmp_path: Path, data_dir: Path) -> None:
    unsubscribed: list[str] = []
    folders = Workspaces(_open)
    for name in ("a", "b"):
        w = folders.add(_folder(tmp_path, name))
        w.unsubscribe = lambda name=name: unsubscribed.append(name)  # type: ignore[misc]
    await folders.aclose()
    assert sorted(unsubscribed) == ["a", "b"]
    assert list(folders) == []


async def test_close_waits_for_folders_still_closing(tmp_path: Path, data_dir: Path) -> None:
    """A folder removed just before shutdown still closes its index."""
    folders = Workspaces(_open)
    a = folders.add(_folder(tmp_path, "a"))
    folders.detach(a.folder)  # the editor's didChangeWorkspaceFolders: nobody awaits it
    await folders.aclose()
    assert isinstance(a.index, ClosingIndex) and a.index.closed
