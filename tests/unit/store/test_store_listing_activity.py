"""Listing rows say what a session did (issue 15, VS Code 6): its first prompt line, the
files its edits touched and how its newest turn ended, kept in the summary cache, and
upgraded from an older cache without a rebuild."""

from __future__ import annotations

import json
import uuid

import pytest

from tether.protocol.events import (
    EventBase,
    FileEdited,
    StepLimitReached,
    TurnCancelled,
    TurnCompleted,
    TurnFailed,
    TurnStarted,
)
from tether.protocol.models import CONTEXT_META, Message, SessionSummary, TextPart
from tether.store import open_store
from tether.store.activity import prompt_line
from tether.store.cache import CACHE_FILE, ROW_FIELDS
from unit.store.store_support import History, spy_on_summarize


def _turn(history: History, sid: str, prompt: str, end: str = "completed",
          files: tuple[str, ...] = ()) -> list[EventBase]:
    turn = uuid.uuid4().hex
    events: list[EventBase] = [
        TurnStarted(session_id=sid, turn_id=turn, seq=history.seq(sid), prompt=prompt),
        history.message(sid, prompt),
    ]
    for path in files:
        events.append(_edit(history, sid, turn, path))
    events.append(history.message(sid, "done", "assistant"))
    seq = history.seq(sid)
    ends: dict[str, EventBase] = {
        "completed": TurnCompleted(session_id=sid, turn_id=turn, seq=seq),
        "failed": TurnFailed(session_id=sid, turn_id=turn, seq=seq,
                             reason="the server at http://127.0.0.1:1 is unreachable"),
        "cancelled": TurnCancelled(session_id=sid, turn_id=turn, seq=seq),
        "step_limit": StepLimitReached(session_id=sid, turn_id=turn, seq=seq,
                                       reason="12 steps", steps=12),
    }
    if end != "unfinished":
        events.append(ends[end])
    return events


def _edit(history: History, sid: str, turn: str, path: str, *, applied: bool = True,
          uri_only: bool = False) -> FileEdited:
    uri = (history.folder.root / path).as_uri()
    return FileEdited(session_id=sid, turn_id=turn, seq=history.seq(sid),
                      tool_call_id=uuid.uuid4().hex, uri=uri, diff="", applied=applied,
                      path="" if uri_only else path)


def _row(history: History, sid: str) -> SessionSummary:
    """The session's listing row, the same from this process and from the cache file."""
    here = _row_in(history.store.list(include_archived=True)[0], sid)
    fresh = open_store(history.folder)  # a new process: what the cache file holds
    assert _row_in(fresh.list(include_archived=True)[0], sid) == here
    return here


def _row_in(page: list[SessionSummary], sid: str) -> SessionSummary:
    (row,) = [s for s in page if s.id == sid]
    return row


def test_first_prompt_line_and_a_failed_last_turn(history: History) -> None:
    sid = history.new_session("Fix add function")
    history.store.append(sid, _turn(history, sid, "  Fix   the add function\nit returns a-b"))
    history.store.append(sid, _turn(history, sid, "try again", end="failed"))
    row = _row(history, sid)
    assert row.first_prompt == "Fix the add function"
    assert row.last_turn == "failed"
    assert row.last_turn_reason == "the server at http://127.0.0.1:1 is unreachable"
    assert row.to_wire()["lastTurn"] == "failed"


@pytest.mark.parametrize("end", ["completed", "cancelled", "step_limit", "unfinished"])
def test_every_way_a_turn_ends_is_named(history: History, end: str) -> None:
    sid = history.new_session()
    history.store.append(sid, _turn(history, sid, "first", end="failed"))
    history.store.append(sid, _turn(history, sid, "second", end=end))
    assert _row(history, sid).last_turn == end


def test_a_session_before_its_first_turn(history: History) -> None:
    sid = history.new_session()
    row = _row(history, sid)
    assert (row.first_prompt, row.files_touched, row.file_count, row.last_turn) == (
        "", [], 0, None)


def test_edits_to_three_files(history: History) -> None:
    sid = history.new_session()
    events = _turn(history, sid, "rename add", files=("src/a.py", "src/b.py", "src/a.py"))
    turn = events[0].turn_id
    assert turn is not None
    events += [_edit(history, sid, turn, "lib/c.py", uri_only=True),  # before change sets
               _edit(history, sid, turn, "d.py", applied=False)]  # refused: not touched
    history.store.append(sid, events)
    row = _row(history, sid)
    assert row.files_touched == ["src/a.py", "src/b.py", "lib/c.py"]
    assert row.file_count == 3


def test_files_grow_as_the_file_grows_and_the_wire_caps_the_names(history: History) -> None:
    sid = history.new_session()
    history.store.append(sid, _turn(history, sid, "one", files=("a.py",)))
    assert _row(history, sid).files_touched == ["a.py"]
    names = tuple(f"m{i:03}.py" for i in range(60))
    history.store.append(sid, _turn(history, sid, "many", files=names))
    row = _row(history, sid)
    assert row.file_count == 61
    assert row.files_touched == ["a.py", *names[:49]]
    assert row.first_prompt == "one"


def test_the_first_prompt_of_an_imported_turn_comes_from_its_message(history: History) -> None:
    sid = history.new_session()
    context = TextPart(text="<file path='x.py'>…</file>", _meta={CONTEXT_META: {"kind": "file"}})
    message = Message(id="u1", role="user",
                      parts=[context, TextPart(text="\n\nExplain x.py please\nthanks")])
    history.store.append(sid, [
        TurnStarted(session_id=sid, turn_id="t", seq=history.seq(sid), prompt=""),
        history.message(sid, "ignored").model_copy(update={"message": message}),
    ])
    assert _row(history, sid).first_prompt == "Explain x.py please"


def test_query_matches_the_first_prompt_line(history: History) -> None:
    sid = history.new_session("Fix add function")
    other = history.new_session("Fix add function")
    history.store.append(sid, _turn(history, sid, "The SUBTRACT case is wrong"))
    history.store.append(other, _turn(history, other, "the sum is wrong"))
    assert [s.id for s in history.store.list(query="subtract")[0]] == [sid]


def _as_version_3(history: History) -> dict[str, list[object]]:
    """Rewrite the cache file as the previous release wrote it (no activity fields)."""
    cache = history.store.base / CACHE_FILE
    body = json.loads(cache.read_bytes())
    assert body["version"] == 4
    rows = {sid: row[: ROW_FIELDS.index("first_prompt")] for sid, row in body["sessions"].items()}
    cache.write_text(json.dumps({"version": 3, "sessions": rows}))
    return rows


def test_an_old_cache_is_upgraded_not_rebuilt(history: History) -> None:
    sid = history.new_session("Fix add function")
    history.store.append(sid, _turn(history, sid, "make add add", end="failed",
                                    files=("calc.py", "test_calc.py")))
    grown = history.new_session()
    history.store.append(grown, _turn(history, grown, "older prompt"))
    history.store.list()
    rows = _as_version_3(history)
    # A field only the cache row holds (the file says otherwise): an upgrade keeps the
    # row, a rebuild would read the file again.
    rows[sid][ROW_FIELDS.index("title")] = "kept from the old cache"
    body = {"version": 3, "sessions": rows}
    (history.store.base / CACHE_FILE).write_text(json.dumps(body))
    history.store.append(grown, _turn(history, grown, "newer prompt", files=("new.py",),
                                      end="cancelled"))
    fresh = open_store(history.folder)
    page = {s.id: s for s in fresh.list()[0]}
    assert page[sid].title == "kept from the old cache"
    assert (page[sid].first_prompt, page[sid].last_turn) == ("make add add", "failed")
    assert page[sid].files_touched == ["calc.py", "test_calc.py"]
    assert page[sid].message_count == 2
    assert (page[grown].first_prompt, page[grown].files_touched, page[grown].last_turn) == (
        "older prompt", ["new.py"], "cancelled")
    assert page[grown].message_count == 4
    upgraded = json.loads((history.store.base / CACHE_FILE).read_bytes())
    assert upgraded["version"] == 4
    assert upgraded["sessions"][sid][ROW_FIELDS.index("files")] == ["calc.py", "test_calc.py"]


def test_an_upgraded_row_is_backfilled_once(history: History,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    sid = history.new_session()
    history.store.append(sid, _turn(history, sid, "hello"))
    history.store.list()
    _as_version_3(history)
    calls = spy_on_summarize(monkeypatch)
    fresh = open_store(history.folder)
    assert fresh.list()[0][0].first_prompt == "hello"
    assert open_store(history.folder).list()[0][0].first_prompt == "hello"
    assert calls == [sid]


@pytest.mark.parametrize("files", [["a.py", 3], "a.py", [None]])
def test_a_corrupt_cache_row_is_rebuilt_with_its_activity(history: History,
                                                          files: object) -> None:
    sid = history.new_session()
    history.store.append(sid, _turn(history, sid, "hello", files=("a.py",), end="failed"))
    history.store.list()
    cache = history.store.base / CACHE_FILE
    body = json.loads(cache.read_bytes())
    body["sessions"][sid][ROW_FIELDS.index("files")] = files
    body["sessions"][sid][ROW_FIELDS.index("title")] = "from the damaged row"
    cache.write_text(json.dumps(body))
    row = open_store(history.folder).list()[0][0]
    assert row.title == ""  # the row was dropped and the file read again
    assert (row.first_prompt, row.files_touched, row.last_turn) == ("hello", ["a.py"], "failed")


def test_a_garbage_cache_file_is_rebuilt_with_the_activity(history: History) -> None:
    sid = history.new_session()
    history.store.append(sid, _turn(history, sid, "hello", files=("a.py",), end="failed"))
    history.store.list()
    (history.store.base / CACHE_FILE).write_bytes(b'{"version": 4, "sessions": {"x"')
    row = open_store(history.folder).list()[0][0]
    assert (row.first_prompt, row.file_count, row.last_turn) == ("hello", 1, "failed")


def test_prompt_line_splits_on_cr_and_lf_only_and_is_capped() -> None:
    assert prompt_line("  \r\n\rFirst\u2028same  line\nsecond") == "First same line"
    long = prompt_line("word " * 100)
    assert len(long) == 200 and long.endswith("…")
    assert prompt_line("\n \n") == ""
