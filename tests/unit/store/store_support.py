"""Event builders shared by the store tests (imported by conftest and the tests)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import tether.store.reader as reader
from tether.protocol.events import EventBase, MessageAdded, TitleChanged, UsageUpdated
from tether.protocol.models import Message, SessionInfo, TextPart, Usage
from tether.store import JsonlStore
from tether.workspace.folder import WorkspaceFolder


@dataclass
class History:
    """Builds a session and its events with increasing seqs."""

    store: JsonlStore
    folder: WorkspaceFolder
    seqs: dict[str, int] = field(default_factory=dict)

    def new_session(self, title: str = "", **extra: object) -> str:
        session_id = uuid.uuid4().hex
        info = SessionInfo(
            id=session_id, title=title, workspace_folder=str(self.folder.root), **extra
        )
        self.store.create(info)
        return session_id

    def seq(self, session_id: str) -> int:
        self.seqs[session_id] = self.seqs.get(session_id, 0) + 1
        return self.seqs[session_id]

    def message(
        self, session_id: str, text: str, role: str = "user", mid: str | None = None
    ) -> MessageAdded:
        msg = Message(id=mid or uuid.uuid4().hex, role=role, parts=[TextPart(text=text)])  # type: ignore[arg-type]
        return MessageAdded(session_id=session_id, seq=self.seq(session_id), message=msg)

    def title(self, session_id: str, title: str) -> TitleChanged:
        return TitleChanged(session_id=session_id, seq=self.seq(session_id), title=title)

    def usage(self, session_id: str, total: int) -> UsageUpdated:
        return UsageUpdated(
            session_id=session_id,
            seq=self.seq(session_id),
            usage=Usage(prompt_tokens=1, total_tokens=1),
            total=Usage(prompt_tokens=total, completion_tokens=total, total_tokens=2 * total),
        )

    def conversation(self, session_id: str, n: int) -> list[EventBase]:
        """n messages alternating user/assistant, ids m0..m{n-1}."""
        return [
            self.message(session_id, f"text {i}", "user" if i % 2 == 0 else "assistant", f"m{i}")
            for i in range(n)
        ]

    def path(self, session_id: str) -> Path:
        return self.store.session_path(session_id)


def spy_on_summarize(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the sessions whose summary rows the listing rebuilds from then on."""
    calls: list[str] = []
    real = reader.summarize

    def spy(f, session_id, path, previous):  # type: ignore[no-untyped-def]
        calls.append(session_id)
        return real(f, session_id, path, previous)

    monkeypatch.setattr("tether.store.listing.summarize", spy)
    return calls
