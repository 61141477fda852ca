"""Delete, fork and export."""

from __future__ import annotations

import json
import uuid

import pytest

from tether.errors import InvalidParamsError, SessionNotFoundError, StoreError
from tether.protocol.events import MessageAdded
from tether.protocol.models import (
    FilePart,
    Message,
    SessionInfo,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolResultPart,
)
from tether.store.cache import CACHE_FILE
from unit.store.store_support import History


def _new_info(history: History, title: str = "") -> SessionInfo:
    return SessionInfo(id=uuid.uuid4().hex, title=title, workspace_folder=str(history.folder.root))


def test_delete_removes_file_lock_and_cache_row(history: History) -> None:
    keep = history.new_session("keep")
    gone = history.new_session("gone")
    history.store.append(gone, history.conversation(gone, 2))
    history.store.list()
    lock = history.store.sessions_dir / f"{gone}.lock"
    assert lock.exists()
    history.store.delete(gone)
    assert not history.path(gone).exists()
    assert not lock.exists()
    rows = json.loads((history.store.base / CACHE_FILE).read_bytes())["sessions"]
    assert set(rows) == {keep}
    assert [s.id for s in history.store.list()[0]] == [keep]
    with pytest.raises(SessionNotFoundError):
        history.store.delete(gone)
    with pytest.raises(SessionNotFoundError):
        history.store.load(gone)


def test_fork_up_to_a_message(history: History) -> None:
    src = history.new_session("source")
    store = history.store
    store.append(src, history.conversation(src, 2))
    title = history.title(src, "titled")
    later = [history.message(src, "two", mid="m2"), history.message(src, "three", mid="m3")]
    store.append(src, [title, *later])
    before = history.path(src).read_bytes()
    info = _new_info(history, "copy")
    forked = store.fork(src, info, up_to_message_id="m2")
    assert forked.id == info.id
    assert forked.forked_from == src
    assert forked.title == "copy"  # the fork's own title, not the parent's
    loaded = store.load(info.id, tail=None)
    assert [m.id for m in loaded.messages] == ["m0", "m1", "m2"]
    assert loaded.info.forked_from == src
    assert loaded.problems == []
    records = list(store.iter_records(info.id))
    assert [r["seq"] for r in records] == [1, 2, 4]  # title_changed (3) stayed behind
    assert {r["sessionId"] for r in records} == {info.id}
    assert history.path(src).read_bytes() == before  # the source is untouched
    assert store.load(src).total_messages == 4
    # the fork is listed, newest first
    assert store.list()[0][0].id == info.id


def test_fork_everything_by_default_and_keep_appending(history: History) -> None:
    src = history.new_session()
    history.store.append(src, [history.title(src, "parent title")])
    history.store.append(src, history.conversation(src, 3))
    info = _new_info(history)  # no title of its own: inherits the parent's
    assert history.store.fork(src, info).title == "parent title"
    history.store.append(info.id, [history.message(info.id, "new", mid="n1")])
    assert [m.id for m in history.store.load(info.id).messages] == ["m0", "m1", "m2", "n1"]
    assert [m.id for m in history.store.load(src).messages] == ["m0", "m1", "m2"]


def test_fork_unknown_message_is_a_clear_error_and_creates_nothing(history: History) -> None:
    src = history.new_session()
    history.store.append(src, history.conversation(src, 3))
    info = _new_info(history)
    with pytest.raises(StoreError, match=f"session {src} has no message nope"):
        history.store.fork(src, info, up_to_message_id="nope")
    assert not history.store.exists(info.id)
    with pytest.raises(SessionNotFoundError):
        history.store.fork("0123456789abcdef", _new_info(history))
    with pytest.raises(StoreError, match="already exists"):
        history.store.fork(src, SessionInfo(id=src, workspace_folder="/x"))


def _rich_session(history: History) -> str:
    sid = history.new_session("Refactor the parser", model="anthropic/claude")
    messages = [
        Message(id="u1", role="user", parts=[TextPart(text="Please fix `parse()`.")]),
        Message(
            id="a1",
            role="assistant",
            parts=[
                ThinkingPart(text="First read the file.\nThen edit."),
                TextPart(text="Let me look."),
                ToolCallPart(id="c1", name="read", arguments={"path": "src/parse.py"}),
            ],
        ),
        Message(
            id="t1",
            role="tool",
            parts=[ToolResultPart(tool_call_id="c1", content="def parse():\n    ```oops```")],
        ),
        Message(
            id="a2",
            role="assistant",
            parts=[TextPart(text="Fixed.")],
            interrupted=True,
        ),
        Message(
            id="u2",
            role="user",
            parts=[FilePart(uri="file:///w/a.py", text="x = 1", range_start_line=0)],
        ),
    ]
    events = [MessageAdded(session_id=sid, seq=history.seq(sid), message=m) for m in messages]
    history.store.append(sid, events, sync=True)
    return sid


def test_export_markdown(history: History) -> None:
    sid = _rich_session(history)
    text = history.store.export(sid, "markdown")
    assert text.startswith("# Refactor the parser\n")
    assert "- Model: `anthropic/claude`" in text
    sections = [line for line in text.splitlines() if line.startswith("## ")]
    assert sections == ["## User", "## Assistant", "## Tool", "## Assistant", "## User"]
    assert "Please fix `parse()`." in text
    assert "> First read the file.\n> Then edit." in text
    assert '**Tool call** `read` (id `c1`)\n\n```json\n{\n  "path": "src/parse.py"\n}\n```' in text
    # the tool output holds a ``` run, so its fence is longer
    assert "````\ndef parse():\n    ```oops```\n````" in text
    assert "*(interrupted)*" in text
    assert "**Attached file** `file:///w/a.py`" in text


def test_export_json(history: History) -> None:
    sid = _rich_session(history)
    body = json.loads(history.store.export(sid, "json"))
    assert set(body) == {"session", "messages"}
    assert body["session"]["id"] == sid
    assert body["session"]["title"] == "Refactor the parser"
    assert [m["id"] for m in body["messages"]] == ["u1", "a1", "t1", "a2", "u2"]
    assert body["messages"][1]["parts"][2] == {
        "type": "tool_call",
        "id": "c1",
        "name": "read",
        "arguments": {"path": "src/parse.py"},
    }
    assert [Message.model_validate(m) for m in body["messages"]] == history.store.load(sid).messages


def test_export_unknown_format(history: History) -> None:
    sid = history.new_session()
    with pytest.raises(InvalidParamsError, match="unknown export format"):
        history.store.export(sid, "pdf")  # type: ignore[arg-type]
