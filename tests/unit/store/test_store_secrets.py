"""Invariant 6: the store adds nothing of its own to what it writes.

What it can promise (and this checks) is that nothing from the environment or settings
ends up on disk through it; secrets inside the records it is given are masked by
`encode_record` (tests/unit/secrets/test_redactor.py).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from tether.protocol.models import SessionInfo
from unit.store.store_support import History

SECRET = "sk-test-" + uuid.uuid4().hex


def test_store_writes_nothing_it_was_not_given(
    history: History, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "TETHER_OPENAI_API_KEY"):
        monkeypatch.setenv(var, SECRET)
    store = history.store
    sid = history.new_session("a title", model="openai/gpt-4o")
    store.append(sid, [*history.conversation(sid, 3), history.usage(sid, 5)], sync=True)
    store.list()
    fork = SessionInfo(id=uuid.uuid4().hex, workspace_folder=str(history.folder.root))
    store.fork(sid, fork, up_to_message_id="m1")
    store.export(sid, "markdown")
    store.load(sid, tail=2)

    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), path

    header = json.loads(history.path(sid).read_bytes().split(b"\n")[0])
    info = store.load(sid, tail=0).info
    expected = SessionInfo.model_validate(header["session"])
    assert set(header["session"]) == set(expected.to_wire())
    assert set(header["session"]) <= {f.alias or n for n, f in SessionInfo.model_fields.items()}
    assert expected.id == info.id == sid
    workspace = json.loads((store.base / "workspace.json").read_text())
    assert set(workspace) == {"version", "path", "name"}
