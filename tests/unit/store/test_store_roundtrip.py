"""Create, append, load, replay: what goes in comes back out, and the layout on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tether.errors import SessionNotFoundError, StoreError
from tether.protocol.events import TurnCompleted, TurnStarted
from tether.protocol.models import SessionInfo
from tether.store import JsonlStore, data_root, open_store
from tether.workspace.folder import WorkspaceFolder
from unit.store.store_support import History


def test_data_root_reads_env_at_call_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TETHER_DATA_DIR", str(tmp_path / "one"))
    assert data_root() == tmp_path / "one"
    monkeypatch.setenv("TETHER_DATA_DIR", str(tmp_path / "two"))
    assert data_root() == tmp_path / "two"
    monkeypatch.delenv("TETHER_DATA_DIR")
    assert data_root().name == "tether"


def test_layout_readable_name_hash_and_workspace_json(
    history: History, data_dir: Path, folder: WorkspaceFolder
) -> None:
    sid = history.new_session("first")
    workspaces = list((data_dir / "workspaces").iterdir())
    assert len(workspaces) == 1
    ws = workspaces[0]
    name, digest = ws.name.rsplit("-", 1)
    assert name == "my_project"
    assert len(digest) == 12
    assert json.loads((ws / "workspace.json").read_text())["path"] == str(folder.root)
    assert (ws / "sessions" / f"{sid}.jsonl").is_file()


def test_two_folders_with_the_same_name_keep_separate_histories(
    tmp_path: Path, data_dir: Path
) -> None:
    (tmp_path / "a" / "app").mkdir(parents=True)
    (tmp_path / "b" / "app").mkdir(parents=True)
    one = open_store(WorkspaceFolder.at(tmp_path / "a" / "app"))
    two = open_store(WorkspaceFolder.at(tmp_path / "b" / "app"))
    one.create(SessionInfo(id="s1", workspace_folder=str(tmp_path / "a" / "app")))
    assert one.exists("s1")
    assert not two.exists("s1")
    assert two.list() == ([], None)


def test_header_line_is_exactly_the_session_info(history: History) -> None:
    sid = history.new_session("hello", model="openai/gpt-4o", metadata={"k": 1})
    first = history.path(sid).read_bytes().split(b"\n")[0]
    header = json.loads(first)
    assert set(header) == {"type", "version", "session"}
    assert header["type"] == "session_header"
    assert header["version"] == 1
    loaded = history.store.load(sid)
    assert SessionInfo.model_validate(header["session"]) == loaded.info


def test_round_trip_messages_title_usage_seq(history: History) -> None:
    store = history.store
    sid = history.new_session()
    events = [
        TurnStarted(session_id=sid, turn_id="t1", seq=history.seq(sid), prompt="hi"),
        *history.conversation(sid, 4),
        history.title(sid, "Greetings"),
        history.usage(sid, 10),
        history.usage(sid, 25),
        TurnCompleted(session_id=sid, turn_id="t1", seq=history.seq(sid), text="bye"),
    ]
    store.append(sid, events[:3])
    store.append(sid, events[3:], sync=True)
    loaded = store.load(sid, tail=None)
    assert [m.id for m in loaded.messages] == ["m0", "m1", "m2", "m3"]
    assert [m.text for m in loaded.messages] == ["text 0", "text 1", "text 2", "text 3"]
    assert loaded.messages == [e.message for e in events[1:5]]  # type: ignore[attr-defined]
    assert loaded.info.title == "Greetings"
    assert loaded.info.usage.total_tokens == 50
    assert loaded.info.updated_at == events[-1].time
    assert loaded.last_seq == events[-1].seq == 9
    assert loaded.truncated is False
    assert loaded.total_messages == 4
    assert loaded.problems == []
    # the default tail load of a small session is the same thing
    assert store.load(sid).messages == loaded.messages


def test_iter_records_from_seq_in_file_order(history: History) -> None:
    sid = history.new_session()
    history.store.append(sid, history.conversation(sid, 6))
    assert [r["seq"] for r in history.store.iter_records(sid)] == [1, 2, 3, 4, 5, 6]
    records = list(history.store.iter_records(sid, from_seq=4))
    assert [r["seq"] for r in records] == [5, 6]
    assert records[0]["type"] == "message_added"
    assert records[0]["sessionId"] == sid


def test_unknown_record_types_are_kept_and_yielded(history: History) -> None:
    store = history.store
    sid = history.new_session()
    store.append(sid, history.conversation(sid, 1))
    future = {"type": "future_thing", "sessionId": sid, "seq": history.seq(sid), "payload": [1]}
    store.append(sid, [future])
    store.append(sid, history.conversation(sid, 1))
    loaded = store.load(sid)
    assert len(loaded.messages) == 2
    assert loaded.problems == []
    assert loaded.last_seq == 3
    records = list(store.iter_records(sid))
    assert records[1] == future
    assert b'"future_thing"' in history.path(sid).read_bytes()


def test_unknown_session_id(store: JsonlStore) -> None:
    with pytest.raises(SessionNotFoundError):
        store.load("0123456789abcdef")
    with pytest.raises(SessionNotFoundError):
        store.append("0123456789abcdef", [])
    with pytest.raises(SessionNotFoundError):
        store.iter_records("0123456789abcdef")
    with pytest.raises(SessionNotFoundError):
        store.delete("0123456789abcdef")
    assert store.exists("0123456789abcdef") is False


@pytest.mark.parametrize("bad", ["../../etc/passwd", "a/b", ".hidden", "", "x" * 200, "a.b"])
def test_ids_that_are_not_file_names_are_refused(store: JsonlStore, bad: str) -> None:
    with pytest.raises(SessionNotFoundError, match="not a valid session id"):
        store.load(bad)
    assert store.exists(bad) is False
    with pytest.raises(StoreError, match="not a valid id"):
        store.create(SessionInfo(id=bad, workspace_folder="/x"))


def test_creating_an_existing_session_is_refused_and_keeps_it(history: History) -> None:
    sid = history.new_session("original")
    history.store.append(sid, history.conversation(sid, 2))
    before = history.path(sid).read_bytes()
    with pytest.raises(StoreError, match="already exists"):
        history.store.create(SessionInfo(id=sid, title="clobber", workspace_folder="/x"))
    assert history.path(sid).read_bytes() == before


def test_nothing_is_written_until_a_session_is_created(data_dir: Path, store: JsonlStore) -> None:
    assert store.list() == ([], None)
    assert not data_dir.exists()
