"""Listing: newest first, pages, title query, and a summary cache that is only a cache."""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime, timedelta

import pytest

from tether.errors import InvalidParamsError
from tether.protocol.events import TitleChanged
from tether.store import JsonlStore, open_store
from tether.store.cache import CACHE_FILE, ROW_FIELDS
from tether.workspace.folder import WorkspaceFolder
from unit.store.store_support import History, spy_on_summarize

BASE = datetime(2026, 1, 1, tzinfo=UTC)


def _sessions_at(history: History, titles: list[str]) -> list[str]:
    """One session per title, the i-th last updated at BASE + i minutes."""
    ids = []
    for i, title in enumerate(titles):
        created = BASE - timedelta(days=1)
        sid = history.new_session(created_at=created, updated_at=created)
        moment = BASE + timedelta(minutes=i)
        event = TitleChanged(session_id=sid, seq=1, title=title, time=moment)
        history.store.append(sid, [event])
        ids.append(sid)
    return ids


def _page_ids(store: JsonlStore, **kwargs: object) -> list[str]:
    return [s.id for s in store.list(**kwargs)[0]]  # type: ignore[arg-type]


def test_newest_first_with_summary_fields(history: History, folder: WorkspaceFolder) -> None:
    ids = _sessions_at(history, ["a", "b", "c"])
    history.store.append(ids[0], history.conversation(ids[0], 3))  # now the newest
    page, cursor = history.store.list()
    assert [s.id for s in page] == [ids[0], ids[2], ids[1]]
    assert cursor is None
    assert page[0].message_count == 3
    assert page[0].title == "a"
    assert page[1].updated_at == BASE + timedelta(minutes=2)
    assert page[1].workspace_folder == str(folder.root)


def test_pagination_walks_every_session_once(history: History) -> None:
    ids = _sessions_at(history, [f"s{i}" for i in range(23)])
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page, cursor = history.store.list(limit=5, cursor=cursor)
        seen += [s.id for s in page]
        pages += 1
        if cursor is None:
            break
    assert pages == 5
    assert seen == list(reversed(ids))


def test_query_is_case_insensitive_on_title(history: History) -> None:
    ids = _sessions_at(history, ["Fix the PARSER", "docs", "parser tests", "other"])
    assert _page_ids(history.store, query="parser") == [ids[2], ids[0]]
    assert _page_ids(history.store, query="PARSER", limit=1) == [ids[2]]
    _, cursor = history.store.list(query="parser", limit=1)
    assert cursor is not None
    assert _page_ids(history.store, query="parser", limit=1, cursor=cursor) == [ids[0]]
    assert _page_ids(history.store, query="nothing like it") == []


DEEP_CURSOR = base64.urlsafe_b64encode(b"[" * 100_000).decode()


@pytest.mark.parametrize("cursor", ["garbage!", "e30=", "WzEsMl0=", "é", DEEP_CURSOR])
def test_foreign_cursor_is_a_clear_error(history: History, cursor: str) -> None:
    _sessions_at(history, ["a"])
    with pytest.raises(InvalidParamsError, match="invalid list cursor"):
        history.store.list(cursor=cursor)


def test_bad_limit_is_a_clear_error(store: JsonlStore) -> None:
    with pytest.raises(InvalidParamsError, match="limit"):
        store.list(limit=0)


def test_stale_cache_row_is_rebuilt_after_an_external_append(
    history: History, folder: WorkspaceFolder, data_dir: object
) -> None:
    ids = _sessions_at(history, ["one", "two"])
    assert history.store.list()[0][1].title == "one"
    other_process = open_store(folder)  # another window, its own memory
    other_process.append(ids[0], [TitleChanged(session_id=ids[0], seq=2, title="renamed")])
    other_process.append(ids[0], history.conversation(ids[0], 2))
    page = history.store.list()[0]
    assert [s.id for s in page] == [ids[0], ids[1]]
    assert page[0].title == "renamed"
    assert page[0].message_count == 2


def test_only_stale_rows_are_reread(history: History, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = _sessions_at(history, [f"s{i}" for i in range(10)])
    history.store.list()
    history.store.append(ids[3], history.conversation(ids[3], 1))
    calls = spy_on_summarize(monkeypatch)
    fresh = open_store(history.folder)  # a new process reading the cache file
    page = fresh.list()[0]
    assert calls == [ids[3]]
    assert page[0].id == ids[3]
    assert page[0].message_count == 1
    calls.clear()
    fresh.list()
    assert calls == []


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{not json",
        b"[]",
        b'{"version": 99, "sessions": {}}',
        b'{"version": 2, "sessions": {"x": [1, 2]}}',
        b'{"version": 2, "sessions": []}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_corrupt_cache_file_is_rebuilt(history: History, content: bytes) -> None:
    ids = _sessions_at(history, ["a", "b"])
    history.store.list()
    cache = history.store.base / CACHE_FILE
    cache.write_bytes(content)
    fresh = open_store(history.folder)
    assert _page_ids(fresh) == [ids[1], ids[0]]
    rows = json.loads(cache.read_bytes())["sessions"]
    assert set(rows) == set(ids)


def test_cache_rows_with_lying_stamps_are_not_trusted(history: History) -> None:
    """A row is used only when size, mtime and inode all match the file."""
    ids = _sessions_at(history, ["true title"])
    history.store.list()
    cache = history.store.base / CACHE_FILE
    body = json.loads(cache.read_bytes())
    row = body["sessions"][ids[0]]
    row[ROW_FIELDS.index("title")] = "lie"
    row[ROW_FIELDS.index("size")] += 1  # no longer matches the file
    cache.write_bytes(json.dumps(body).encode())
    assert open_store(history.folder).list()[0][0].title == "true title"


def test_deleted_session_leaves_the_listing_and_the_cache(history: History) -> None:
    ids = _sessions_at(history, ["a", "b"])
    history.store.list()
    os.unlink(history.path(ids[0]))  # removed behind our back
    assert _page_ids(history.store) == [ids[1]]
    rows = json.loads((history.store.base / CACHE_FILE).read_bytes())["sessions"]
    assert set(rows) == {ids[1]}


def test_stray_files_in_the_sessions_dir_are_ignored(history: History) -> None:
    ids = _sessions_at(history, ["a"])
    sessions = history.store.sessions_dir
    (sessions / "notes.txt").write_text("hi")
    (sessions / f".{ids[0]}.jsonl.123.tmp").write_text("partial")
    (sessions / "bad.name.jsonl").write_text("x")
    assert _page_ids(history.store) == ids


def test_cache_row_with_unreadable_times_does_not_break_listing(history: History) -> None:
    ids = _sessions_at(history, ["a", "b"])
    history.store.list()
    cache = history.store.base / CACHE_FILE
    body = json.loads(cache.read_bytes())
    row = body["sessions"][ids[0]]
    row[ROW_FIELDS.index("created_at")] = "not a time"
    row[ROW_FIELDS.index("updated_at")] = "nor this"
    cache.write_bytes(json.dumps(body).encode())
    page = open_store(history.folder).list()[0]
    assert [s.id for s in page] == [ids[1], ids[0]]
    assert page[1].updated_at == BASE  # from the row's timestamp column


def test_cache_keys_that_are_not_session_ids_are_dropped(history: History) -> None:
    ids = _sessions_at(history, ["a"])
    history.store.list()
    sessions = history.store.sessions_dir
    hidden = sessions / ".hidden.jsonl"
    hidden.write_bytes(history.path(ids[0]).read_bytes())
    cache = history.store.base / CACHE_FILE
    body = json.loads(cache.read_bytes())
    row = list(body["sessions"][ids[0]])
    st = hidden.stat()
    for name, value in (("size", st.st_size), ("mtime_ns", st.st_mtime_ns), ("ino", st.st_ino)):
        row[ROW_FIELDS.index(name)] = value
    body["sessions"][".hidden"] = row
    cache.write_bytes(json.dumps(body).encode())
    assert _page_ids(open_store(history.folder)) == ids
