"""stdout of a retried stream: the repeat is skipped, a different retry starts a new line."""

from __future__ import annotations

from tether.cli_text import StreamedText


def _play(steps: list[tuple[str, str | None, str]]) -> tuple[str, StreamedText]:
    text, out = StreamedText(), []
    for kind, message_id, piece in steps:
        if kind == "retry":
            text.retry(message_id)
        else:
            assert message_id is not None
            out.append(text.feed(message_id, piece))
    return "".join(out), text


def test_a_repeated_retry_resumes_where_the_screen_ends() -> None:
    out, text = _play([("delta", "m1", "The answer is "), ("delta", "m1", "forty-two, compu"),
                       ("retry", "m1", ""), ("delta", "m2", "The answer is forty"),
                       ("delta", "m2", "-two, computed "), ("delta", "m2", "carefully.")])
    assert out == "The answer is forty-two, computed carefully."
    assert not text.diverged


def test_a_different_retry_follows_on_a_new_line() -> None:
    out, text = _play([("delta", "m1", "Yes, because"), ("retry", "m1", ""),
                       ("delta", "m2", "No: "), ("delta", "m2", "it is not.")])
    assert out == "Yes, because\nNo: it is not."
    assert text.diverged


def test_a_retry_before_any_text_and_later_messages_print_plainly() -> None:
    out, _ = _play([("retry", "m0", ""), ("delta", "m1", "one"), ("delta", "m2", " two")])
    assert out == "one two"
