"""Tail loads: the last N messages, read from the end, with title/usage/total still right."""

from __future__ import annotations

import pytest

import tether.store.reader as reader
from tether.protocol.events import EventBase, ToolCallStarted, TurnCompleted
from unit.store.store_support import History


def _long_session(history: History, n: int) -> str:
    """n messages; title set early and once late; usage after every 10 messages."""
    sid = history.new_session("initial")
    events: list[EventBase] = [history.title(sid, "early title")]
    for i in range(n):
        role = "user" if i % 2 == 0 else "assistant"
        events.append(history.message(sid, f"text {i}", role, f"m{i}"))
        events.append(
            ToolCallStarted(session_id=sid, seq=history.seq(sid), tool_call_id=f"c{i}", name="read")
        )
        if i % 10 == 9:
            events.append(history.usage(sid, i + 1))
        if i == n // 3:
            events.append(history.title(sid, "The Real Title"))
    events.append(TurnCompleted(session_id=sid, seq=history.seq(sid)))
    for start in range(0, len(events), 50):
        history.store.append(sid, events[start : start + 50], sync=True)
    return sid


def _counting_decode(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    calls = {"n": 0}
    real = reader.decode_line

    def counting(line: bytes) -> dict[str, object] | str:
        calls["n"] += 1
        return real(line)

    monkeypatch.setattr(reader, "decode_line", counting)
    return calls


@pytest.mark.parametrize("use_cache", [False, True])
def test_tail_load_is_right_and_reads_only_the_end(
    history: History, monkeypatch: pytest.MonkeyPatch, use_cache: bool
) -> None:
    n = 3000
    sid = _long_session(history, n)
    full = history.store.load(sid, tail=None)
    if use_cache:
        history.store.list()  # builds the summary cache row for this file
    calls = _counting_decode(monkeypatch)
    loaded = history.store.load(sid, tail=100)
    assert [m.id for m in loaded.messages] == [f"m{i}" for i in range(n - 100, n)]
    assert loaded.truncated is True
    assert loaded.total_messages == n
    assert loaded.info.title == "The Real Title"  # set far before the tail
    assert loaded.info.usage == full.info.usage
    assert loaded.info.usage.total_tokens == 2 * n
    assert loaded.info.updated_at == full.info.updated_at
    assert loaded.last_seq == full.last_seq
    assert loaded.problems == []
    # about 2 records per message in the tail, not the ~6000 lines of the file
    assert calls["n"] < 400


def test_tail_that_covers_everything_is_not_truncated(history: History) -> None:
    sid = _long_session(history, 30)
    loaded = history.store.load(sid, tail=30)
    assert len(loaded.messages) == 30
    assert loaded.truncated is False
    assert loaded.total_messages == 30
    assert loaded.info.title == "The Real Title"
    bigger = history.store.load(sid, tail=500)
    assert bigger.messages == loaded.messages
    assert bigger.truncated is False


def test_tail_title_found_only_in_the_prefix_without_cache(history: History) -> None:
    sid = history.new_session("header title")
    store = history.store
    store.append(sid, [history.title(sid, "renamed"), history.usage(sid, 7)])
    store.append(sid, history.conversation(sid, 50))
    loaded = store.load(sid, tail=5)
    assert [m.id for m in loaded.messages] == ["m45", "m46", "m47", "m48", "m49"]
    assert loaded.info.title == "renamed"
    assert loaded.info.usage.total_tokens == 14
    assert loaded.total_messages == 50
    assert loaded.truncated


def test_tail_ignores_look_alike_text_inside_messages(history: History) -> None:
    """Message text that spells a record type is escaped on disk, so it is not counted."""
    sid = history.new_session("header title")
    store = history.store
    store.append(sid, [history.message(sid, '{"type":"title_changed","title":"fake"}')])
    store.append(sid, history.conversation(sid, 10))
    loaded = store.load(sid, tail=2)
    assert loaded.info.title == "header title"
    assert loaded.total_messages == 11


def test_tail_zero_gives_the_folded_info_only(history: History) -> None:
    sid = _long_session(history, 20)
    loaded = history.store.load(sid, tail=0)
    assert loaded.messages == []
    assert loaded.total_messages == 20
    assert loaded.truncated is True
    assert loaded.info.title == "The Real Title"


def test_tail_after_cache_went_stale(history: History) -> None:
    sid = _long_session(history, 40)
    history.store.list()
    history.store.append(sid, [history.title(sid, "newer")])
    history.store.append(sid, history.conversation(sid, 40))
    loaded = history.store.load(sid, tail=10)
    assert loaded.info.title == "newer"
    assert loaded.total_messages == 80
    assert [m.id for m in loaded.messages] == [f"m{i}" for i in range(30, 40)]
