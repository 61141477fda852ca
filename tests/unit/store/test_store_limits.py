"""What the store writes it can read back: header fields capped, records of any size."""

from __future__ import annotations

import json
import uuid

import pytest

from tether.errors import StoreError
from tether.protocol.models import (
    MAX_AGENT_CHARS,
    MAX_MODEL_CHARS,
    MAX_TITLE_CHARS,
    SessionInfo,
)
from tether.store import JsonlStore, open_store
from tether.store.records import (
    MAX_HEADER_BYTES,
    MAX_HEADER_WRITE_BYTES,
    clip_text,
    clip_title,
    encode_record,
)
from tether.workspace.folder import WorkspaceFolder
from unit.store.store_support import History

HUGE = 5 * 1024 * 1024


def fresh(store: JsonlStore, folder: WorkspaceFolder) -> JsonlStore:
    """Another process's view: no memoised state."""
    reopened = open_store(folder)
    assert isinstance(reopened, JsonlStore) and reopened is not store
    return reopened


def test_clip_text() -> None:
    assert clip_text("short", 10) == "short"
    assert clip_text("x" * 11, 10) == "x" * 9 + "…"
    assert clip_text("one two three four", 12) == "one two…"  # at a word
    assert clip_text("a " + "b" * 20, 10) == "a " + "b" * 7 + "…"  # no word near the end
    assert clip_title("  line one\n\tline  two ") == "line one line two"
    assert len(clip_title("w" * HUGE)) == MAX_TITLE_CHARS


def test_oversized_header_fields_are_capped_and_read_back(
    store: JsonlStore, folder: WorkspaceFolder
) -> None:
    sid = str(uuid.uuid4())
    store.create(SessionInfo(id=sid, title="t" * HUGE, model="m" * HUGE, agent="a" * HUGE,
                             workspace_folder=str(folder.root)))
    with store.session_path(sid).open("rb") as f:
        assert len(f.readline()) <= MAX_HEADER_WRITE_BYTES < MAX_HEADER_BYTES
    info = fresh(store, folder).load(sid).info
    assert len(info.title) == MAX_TITLE_CHARS and info.title.endswith("…")
    assert len(info.model) == MAX_MODEL_CHARS and len(info.agent) == MAX_AGENT_CHARS
    [row], _ = fresh(store, folder).list()
    assert row.title == info.title


def test_a_header_too_big_to_read_back_is_refused(
    store: JsonlStore, folder: WorkspaceFolder
) -> None:
    sid = str(uuid.uuid4())
    with pytest.raises(StoreError, match="byte cap"):
        store.create(SessionInfo(id=sid, metadata={"blob": "x" * HUGE},
                                 workspace_folder=str(folder.root)))
    assert not store.exists(sid)
    assert not list(store.sessions_dir.iterdir())  # no temp file left either


def test_a_fork_of_a_session_with_a_huge_title_reads_back(
    store: JsonlStore, folder: WorkspaceFolder, history: History
) -> None:
    sid = history.new_session()
    store.append(sid, [history.title(sid, "z" * HUGE)])  # a record: no cap, readable
    parent = fresh(store, folder).load(sid).info
    assert len(parent.title) == MAX_TITLE_CHARS
    child = SessionInfo(id=str(uuid.uuid4()), title="z" * HUGE + " (fork)",
                        workspace_folder=str(folder.root))
    store.fork(sid, child)
    assert len(fresh(store, folder).load(child.id).info.title) == MAX_TITLE_CHARS


def test_a_record_of_many_megabytes_reads_back_every_way(
    store: JsonlStore, folder: WorkspaceFolder, history: History
) -> None:
    sid = history.new_session(title="big")
    big = "line\n" * (2 * HUGE // 5) + "end"  # 10 MB of text, one record
    events = [history.message(sid, "before", mid="m0"), history.message(sid, big, mid="m1"),
              history.message(sid, "after", "assistant", mid="m2")]
    assert len(encode_record(events[1])) > 2 * MAX_HEADER_BYTES
    store.append(sid, events, sync=True)
    other = fresh(store, folder)
    full = other.load(sid, tail=None)
    assert [m.id for m in full.messages] == ["m0", "m1", "m2"] and not full.problems
    assert full.messages[1].parts[0].text == big  # type: ignore[union-attr]
    tail = other.load(sid, tail=2)
    assert [m.id for m in tail.messages] == ["m1", "m2"] and tail.truncated
    assert [r["seq"] for r in other.iter_records(sid)] == [1, 2, 3]
    [row], _ = other.list()
    assert row.message_count == 3
    fork = SessionInfo(id=str(uuid.uuid4()), workspace_folder=str(folder.root))
    other.fork(sid, fork, up_to_message_id="m1")
    assert [m.id for m in other.load(fork.id, tail=None).messages] == ["m0", "m1"]
    exported = json.loads(other.export(sid, "json"))
    assert exported
