"""A temp TETHER_DATA_DIR, a workspace folder, a store over it, and event builders."""

from __future__ import annotations

from pathlib import Path

import pytest

from tether.store import JsonlStore, open_store
from tether.workspace.folder import WorkspaceFolder
from unit.store.store_support import History


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "data"
    monkeypatch.setenv("TETHER_DATA_DIR", str(root))
    return root


@pytest.fixture
def folder(tmp_path: Path) -> WorkspaceFolder:
    (tmp_path / "my project").mkdir()
    return WorkspaceFolder.at(tmp_path / "my project")


@pytest.fixture
def store(data_dir: Path, folder: WorkspaceFolder) -> JsonlStore:
    opened = open_store(folder)
    assert isinstance(opened, JsonlStore)
    return opened


@pytest.fixture
def history(store: JsonlStore, folder: WorkspaceFolder) -> History:
    return History(store, folder)
