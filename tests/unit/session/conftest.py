"""Engine test fixtures: a real store in a temp data dir and a real workspace folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from support.session_fakes import AnsweringBridge, FakeProvider
from tether.protocol.events import EventBase
from tether.session.manager import SessionManager
from tether.settings import Settings
from tether.store import open_store
from tether.workspace.bridge import PermissionOption
from tether.workspace.folder import WorkspaceFolder


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "data"
    monkeypatch.setenv("TETHER_DATA_DIR", str(d))
    return d


@pytest.fixture
def workspace(tmp_path: Path) -> WorkspaceFolder:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "hello.py").write_text('def greet(name):\n    return f"Hello, {name}!"\n')
    return WorkspaceFolder.at(root)


class Harness:
    def __init__(self, workspace: WorkspaceFolder, provider: FakeProvider,
                 bridge: AnsweringBridge, settings: Settings) -> None:
        self.provider = provider
        self.bridge = bridge
        self.events: list[EventBase] = []
        self.store = open_store(workspace)
        self.manager = SessionManager(
            workspace, store=self.store, settings=settings, bridge=bridge,
            provider_factory=lambda _s: provider, heartbeat_interval=0.05,
        )
        self.manager.subscribe(self.events.append)

    def types(self) -> list[str]:
        return [e.type for e in self.events]  # type: ignore[attr-defined]


@pytest.fixture
def make_harness(workspace: WorkspaceFolder, data_dir: Path) -> Callable[..., Harness]:

    def make(steps: list[list[Any]], *, answers: list[PermissionOption] | None = None,
             repeat_last: bool = False, **settings: Any) -> Harness:
        base = Settings(provider="openai", model="fake-model", title_generation=False,
                        context_window=100_000)
        h = Harness(workspace, FakeProvider(steps, repeat_last=repeat_last),
                    AnsweringBridge(answers), base.model_copy(update=settings))
        return h

    return make
