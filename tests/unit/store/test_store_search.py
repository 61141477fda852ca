"""Full-text search over a workspace's sessions, and archive, through the real store."""

from __future__ import annotations

import uuid
from typing import Any

from tether.protocol.events import ArchiveChanged, EventBase, FileEdited, MessageAdded
from tether.protocol.models import Message, TextPart, ToolCallPart, ToolResultPart
from tether.store import JsonlStore
from tether.store.search import CATALOGUE_FILE, fts_query
from unit.store.store_support import History

RARE = "xylophonic"


def _turn(sid: str, i: int, *, tool_output: str = "ok") -> list[EventBase]:
    call = f"call{i}"
    return [
        MessageAdded(session_id=sid, message=Message(
            id=uuid.uuid4().hex, role="user", parts=[TextPart(text=f"question number {i}")])),
        MessageAdded(session_id=sid, message=Message(
            id=uuid.uuid4().hex, role="assistant",
            parts=[TextPart(text="let me read it"),
                   ToolCallPart(id=call, name="read_file", arguments={"path": f"src/mod{i}.py"})])),
        MessageAdded(session_id=sid, message=Message(
            id=uuid.uuid4().hex, role="tool",
            parts=[ToolResultPart(tool_call_id=call, content=tool_output)])),
    ]


def _ids(hits: list[Any]) -> list[str]:
    return [h.session_id for h in hits]


def test_a_word_only_in_one_tool_output_among_1000_sessions(
        store: JsonlStore, history: History) -> None:
    sids = [history.new_session(title=f"session {i}") for i in range(1000)]
    for i, sid in enumerate(sids):
        output = f"the file says {RARE} here" if i == 617 else "nothing special"
        store.append(sid, _turn(sid, i, tool_output=output), number=True)
    hits = store.search(RARE)
    assert _ids(hits) == [sids[617]]
    assert hits[0].kind == "tool_output" and hits[0].title == "session 617"
    start, end = hits[0].highlights[0]
    assert hits[0].snippet[start:end] == RARE
    assert _ids(store.search("src/mod42.py")) == [sids[42]]  # file paths in tool calls
    assert len(store.search("question", limit=7)) == 7

    # the catalogue is only a cache: deleted, it is rebuilt from the files
    (store.base / CATALOGUE_FILE).unlink()
    assert _ids(store.search(RARE)) == [sids[617]]


def test_the_catalogue_follows_appends_deletes_and_damage(
        store: JsonlStore, history: History) -> None:
    one, two = history.new_session(title="one"), history.new_session(title="two")
    store.append(one, _turn(one, 1), number=True)
    assert store.search("marmalade") == []
    store.append(two, [FileEdited(session_id=two, tool_call_id="c", diff="",
                                  uri="file:///ws/marmalade_jar.py", applied=True)],
                 number=True)
    assert _ids(store.search("marmalade")) == [two]
    store.delete(two)
    assert store.search("marmalade") == []
    (store.base / CATALOGUE_FILE).write_bytes(b"this is not a database" * 100)
    assert _ids(store.search("question")) == [one]


def test_archived_sessions_are_hidden_unless_asked_for(
        store: JsonlStore, history: History) -> None:
    kept, hidden = history.new_session(title="kept"), history.new_session(title="hidden")
    for sid in (kept, hidden):
        store.append(sid, _turn(sid, 1), number=True)
    store.append(hidden, [ArchiveChanged(session_id=hidden, archived=True)], number=True)
    listed, _ = store.list()
    assert [s.id for s in listed] == [kept]
    everything, _ = store.list(include_archived=True)
    assert {s.id: s.archived for s in everything} == {kept: False, hidden: True}
    assert _ids(store.search("question")) == [kept]
    assert set(_ids(store.search("question", include_archived=True))) == {kept, hidden}
    store.append(hidden, [ArchiveChanged(session_id=hidden, archived=False)], number=True)
    assert len(store.list()[0]) == 2


def test_user_text_is_never_fts_syntax() -> None:
    assert fts_query('a "b" OR c*') == '"a"* """b"""* "OR"* "c*"*'
    assert fts_query("   ") == ""
