"""Damaged history: skipped and reported, never a crash, never a rewrite."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from tether.errors import HistoryCorruptError, SessionNotFoundError, StoreError
from tether.protocol.models import SessionInfo
from tether.store import JsonlStore
from unit.store.store_support import History


def _append_raw(path: Path, data: bytes) -> None:
    with open(path, "ab") as f:
        f.write(data)


def test_torn_last_line_is_skipped_and_reported(history: History) -> None:
    sid = history.new_session()
    history.store.append(sid, history.conversation(sid, 3))
    path = history.path(sid)
    _append_raw(path, b'{"sessionId":"x","seq":4,"type":"message_added","mess')
    before = path.read_bytes()
    for tail in (None, 1000, 1):
        loaded = history.store.load(sid, tail=tail)
        assert [m.id for m in loaded.messages][-1] == "m2"
        assert len(loaded.problems) == 1
        assert "torn last line" in loaded.problems[0]
        assert loaded.last_seq == 3
    assert [r["seq"] for r in history.store.iter_records(sid)] == [1, 2, 3]
    assert path.read_bytes() == before  # reading rewrote nothing


def test_append_after_a_torn_line_keeps_new_records_whole(history: History) -> None:
    sid = history.new_session()
    history.store.append(sid, history.conversation(sid, 1))
    path = history.path(sid)
    torn = b'{"type":"message_added","message":{"id":"half'
    _append_raw(path, torn)
    history.store.append(sid, [history.message(sid, "after the crash", mid="late")])
    data = path.read_bytes()
    assert torn + b"\n" in data  # the torn bytes stay where they were
    loaded = history.store.load(sid, tail=None)
    assert [m.id for m in loaded.messages] == ["m0", "late"]
    assert len(loaded.problems) == 1
    assert "line 3" in loaded.problems[0]


def test_corrupt_middle_line_is_skipped_and_reported(history: History) -> None:
    sid = history.new_session()
    history.store.append(sid, history.conversation(sid, 2))
    _append_raw(history.path(sid), b"this is not json {{{\n")
    history.store.append(sid, [history.message(sid, "later", mid="m9")])
    _append_raw(history.path(sid), b"[1, 2, 3]\n")
    loaded = history.store.load(sid, tail=None)
    assert [m.id for m in loaded.messages] == ["m0", "m1", "m9"]
    assert len(loaded.problems) == 2
    assert loaded.problems[0].startswith("line 4")
    assert "invalid JSON" in loaded.problems[0]
    assert "not a JSON object" in loaded.problems[1]
    tail = history.store.load(sid)
    assert [m.id for m in tail.messages] == ["m0", "m1", "m9"]
    assert len(tail.problems) == 2
    assert [r["seq"] for r in history.store.iter_records(sid)] == [1, 2, 3]


def test_message_that_fails_validation_is_reported(history: History) -> None:
    sid = history.new_session()
    history.store.append(sid, [{"type": "message_added", "seq": 1, "message": {"role": "x"}}])
    history.store.append(sid, history.conversation(sid, 1))
    loaded = history.store.load(sid)
    assert [m.id for m in loaded.messages] == ["m0"]
    assert "invalid message" in loaded.problems[0]


@pytest.mark.parametrize(
    "header",
    [
        b"",
        b"garbage\n",
        b'{"type":"session_header","version":1,"session":{"id":"abc"}}\n',
        b'{"type":"session_header","version":99,"session":{}}\n',
        b'{"type":"message_added"}\n',
        b'{"type":"session_header","version":1,"session":{"id":"a","workspaceFolder":"/"}}',
        b'{"type":"session_header","version":1,"session":{"id":"other","workspaceFolder":"/"}}\n',
    ],
)
def test_unreadable_header_raises_and_leaves_the_file(history: History, header: bytes) -> None:
    sid = history.new_session()
    history.store.append(sid, history.conversation(sid, 2))
    path = history.path(sid)
    body = path.read_bytes().split(b"\n", 1)[1]
    path.write_bytes(header + body)
    before = path.read_bytes()
    with pytest.raises(HistoryCorruptError, match=f"session {sid}.*left as it is"):
        history.store.load(sid)
    with pytest.raises(HistoryCorruptError):
        history.store.load(sid, tail=None)
    with pytest.raises(HistoryCorruptError):
        list(history.store.iter_records(sid))
    with pytest.raises(HistoryCorruptError):
        history.store.export(sid, "markdown")
    # still listed (so the user can see and delete it), and the listing survives it
    other = history.new_session("fine")
    listed = {s.id: s for s in history.store.list()[0]}
    assert set(listed) == {sid, other}
    assert listed[other].title == "fine"
    assert path.read_bytes() == before
    history.store.delete(sid)
    assert not path.exists()


def test_failed_append_is_cut_back_and_reported_plainly(
    history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = history.new_session()
    history.store.append(sid, history.conversation(sid, 2))
    path = history.path(sid)
    before = path.read_bytes()
    real_write = os.write
    calls = {"n": 0}

    def disk_fills_up(fd: int, data: bytes | memoryview) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            return real_write(fd, bytes(data[:10]))  # a partial write...
        raise OSError(errno.ENOSPC, "No space left on device")  # ...then the disk is full

    monkeypatch.setattr(os, "write", disk_fills_up)
    with pytest.raises(StoreError, match=r"cannot write history at .*: disk full"):
        history.store.append(sid, [history.message(sid, "x" * 100)], sync=True)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert len(history.store.load(sid).messages) == 2


def test_unwritable_data_dir_is_a_plain_store_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tether.store import open_store
    from tether.workspace.folder import WorkspaceFolder

    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data dir should be")
    store = open_store(WorkspaceFolder.at(tmp_path), data_dir=blocker)
    with pytest.raises(StoreError, match="cannot create history at"):
        store.create(SessionInfo(id="s1", workspace_folder=str(tmp_path)))
    assert blocker.read_text() == "a file where the data dir should be"


def test_session_deleted_between_calls(history: History, store: JsonlStore) -> None:
    sid = history.new_session()
    os.unlink(history.path(sid))
    with pytest.raises(SessionNotFoundError):
        store.append(sid, history.conversation(sid, 1))
    with pytest.raises(SessionNotFoundError):
        store.load(sid)


def test_empty_append_touches_nothing(history: History) -> None:
    sid = history.new_session()
    _append_raw(history.path(sid), b'{"torn')
    before = history.path(sid).read_bytes()
    history.store.append(sid, [])
    assert history.path(sid).read_bytes() == before


def test_file_system_without_hard_links(history: History, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(src: object, dst: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    sid = history.new_session("no links")
    history.store.append(sid, history.conversation(sid, 2))
    assert history.store.load(sid).info.title == "no links"
    with pytest.raises(StoreError, match="already exists"):
        history.store.create(SessionInfo(id=sid, workspace_folder="/x"))
    leftovers = [p.name for p in history.store.sessions_dir.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_session_deleted_while_an_append_waited_for_the_lock(
    history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contextlib import contextmanager

    sid = history.new_session()
    real_locked = history.store._locked

    @contextmanager
    def delete_then_lock(session_id: str, timeout: float = 1.0):  # type: ignore[no-untyped-def]
        os.unlink(history.path(session_id))  # another window deleted it meanwhile
        with real_locked(session_id, timeout):
            yield

    monkeypatch.setattr(history.store, "_locked", delete_then_lock)
    with pytest.raises(SessionNotFoundError, match="was deleted"):
        history.store.append(sid, history.conversation(sid, 1))
    assert not history.path(sid).exists()


def test_unknown_id_append_leaves_no_lock_file(history: History, store: JsonlStore) -> None:
    history.new_session()
    with pytest.raises(SessionNotFoundError):
        store.append("0123456789abcdef", history.conversation("0123456789abcdef", 1))
    assert not (store.sessions_dir / "0123456789abcdef.lock").exists()
