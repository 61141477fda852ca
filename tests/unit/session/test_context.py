"""Context derivation: a view over history that never splits a tool call from its result."""

from __future__ import annotations

from tether.protocol.models import Message, TextPart, ToolCallPart, ToolResultPart
from tether.session.context import INTERRUPTED_MARKER, derive_context, split_exchanges
from tether.session.title import clean_title, fallback_title


def msg(role: str, text: str = "", **kw: object) -> Message:
    parts: list = [TextPart(text=text)] if text else []
    if "call" in kw:
        parts.append(ToolCallPart(id=str(kw["call"]), name="read_file", arguments={}))
    if "result" in kw:
        parts.append(ToolResultPart(tool_call_id=str(kw["result"]), content=text * 10))
    return Message(id=f"{role}-{text}-{len(parts)}", role=role, parts=parts)  # type: ignore[arg-type]


def history() -> list[Message]:
    return [
        msg("user", "a" * 400), msg("assistant", call="1"), msg("tool", "r" * 400, result="1"),
        msg("assistant", "answer one"),
        msg("user", "b" * 400), msg("assistant", "answer two"),
        msg("user", "latest question"),
    ]


def test_everything_fits() -> None:
    d = derive_context(history(), system="sys", tools=[], window_tokens=100_000,
                       reserve_tokens=1000)
    assert d.dropped_messages == 0 and len(d.messages) == 7


def test_overflow_drops_oldest_whole_exchanges() -> None:
    d = derive_context(history(), system="sys", tools=[], window_tokens=1400,
                       reserve_tokens=1000)
    assert d.dropped_messages == 4  # the whole first exchange, tool call and result together
    assert d.messages[0].text == "b" * 400
    ids = {p.id for m in d.messages for p in m.tool_calls}
    results = {p.tool_call_id for m in d.messages for p in m.tool_results}
    assert ids == results


def test_newest_exchange_always_kept() -> None:
    d = derive_context(history(), system="sys", tools=[], window_tokens=10, reserve_tokens=5)
    assert [m.text for m in d.messages] == ["latest question"]


def test_history_is_not_modified_by_the_interrupted_marker() -> None:
    interrupted = msg("assistant", "half").model_copy(update={"interrupted": True})
    h = [msg("user", "q"), interrupted]
    d = derive_context(h, system="", tools=[], window_tokens=10_000, reserve_tokens=0)
    assert INTERRUPTED_MARKER in d.messages[1].text
    assert h[1].text == "half"


def test_split_exchanges_starts_at_user() -> None:
    assert [len(x) for x in split_exchanges(history())] == [4, 2, 1]


def test_titles() -> None:
    assert fallback_title("\n  Fix the   flaky test in ci  \nmore") == "Fix the flaky test in ci"
    long = fallback_title("word " * 30)
    assert len(long) <= 47 and long.endswith("…")
    assert fallback_title("   ") == "New session"
    assert clean_title('Title: "Refactor the SSE decoder for speed today now."') == (
        "Refactor the SSE decoder for speed")
