"""Fixtures for the index tests: an isolated data dir, small trees, a built index."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from tether.index import WorkspaceIndex
from tether.workspace.folder import WorkspaceFolder


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No real data dir, no user git config or global excludes leak into a test."""
    data = tmp_path / "tether-data"
    monkeypatch.setenv("TETHER_DATA_DIR", str(data))
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return data


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def tree(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    def make(files: dict[str, str | bytes]) -> Path:
        return write_tree(tmp_path / "ws", files)

    return make


PROJECT: dict[str, str | bytes] = {
    "app/models.py": (
        "class UserAccount:\n"
        "    def get_display_name(self):\n"
        "        return format_name(self.first, self.last)\n"
        "\n"
        "def format_name(first, last):\n"
        "    return f'{first} {last}'\n"
    ),
    "app/views.py": (
        "from app.models import UserAccount, format_name\n"
        "\n"
        "def show_user(request):\n"
        "    user = UserAccount()\n"
        "    return user.get_display_name()\n"
    ),
    "app/api.py": (
        "from app.models import UserAccount\n"
        "\n"
        "def list_users():\n"
        "    return [UserAccount()]\n"
    ),
    "web/client.ts": (
        "export class HttpClient {\n"
        "  fetchUserProfile(id: string): Promise<Profile> { return get(id); }\n"
        "}\n"
        "export interface Profile { name: string }\n"
    ),
    "README.md": "# Demo\n\nThe display name is built by format_name.\n",
    "notes.txt": "nothing about users here\n",
}


@pytest.fixture
def project_files() -> dict[str, str | bytes]:
    return dict(PROJECT)


@pytest.fixture
async def project(tmp_path: Path) -> AsyncIterator[WorkspaceIndex]:
    root = write_tree(tmp_path / "project", PROJECT)
    index = WorkspaceIndex(WorkspaceFolder.at(root))
    await index.build()
    yield index
    await index.aclose()
