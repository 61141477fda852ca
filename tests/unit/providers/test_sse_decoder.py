"""The SSE decoder gives the same events whatever the chunk boundaries."""

from __future__ import annotations

import json

from tether.providers.sse import ServerSentEvent, SSEDecoder

PAYLOAD = {"text": "line\u2028sep\u2029para\u0085nel é 漢字 🎉"}
SAMPLE = (
    b"\xef\xbb\xbf: a comment\r\n"
    b"event: message_start\r\n"
    b'data: {"a":1}\r\n'
    b"\r\n"
    b"id: 7\n"
    b"data: first\n"
    b"data:second\n"
    b"data\n"
    b"\n"
    b"retry: 1500\r"
    b"data: " + json.dumps(PAYLOAD, ensure_ascii=False).encode() + b"\r"
    b"\r"
    b"event: ping\n"
    b"\n"
    b"data: [DONE]\n\n"
)
EXPECTED = [
    ServerSentEvent(event="message_start", data='{"a":1}'),
    ServerSentEvent(data="first\nsecond\n", id="7"),
    ServerSentEvent(data=json.dumps(PAYLOAD, ensure_ascii=False), id="7", retry=1500),
    ServerSentEvent(data="[DONE]", id="7"),
]


def decode(chunks: list[bytes]) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    events.extend(decoder.flush())
    return events


def test_whole_stream() -> None:
    events = decode([SAMPLE])
    assert events == EXPECTED
    assert json.loads(events[2].data) == PAYLOAD


def test_every_single_split_point() -> None:
    for i in range(len(SAMPLE) + 1):
        assert decode([SAMPLE[:i], SAMPLE[i:]]) == EXPECTED, f"split at {i}"


def test_every_pair_of_split_points() -> None:
    n = len(SAMPLE)
    for i in range(n + 1):
        for j in range(i, n + 1, 3):
            assert decode([SAMPLE[:i], SAMPLE[i:j], SAMPLE[j:]]) == EXPECTED, (i, j)


def test_byte_by_byte() -> None:
    assert decode([SAMPLE[i : i + 1] for i in range(len(SAMPLE))]) == EXPECTED


def test_u2028_is_not_a_line_break() -> None:
    line = 'data: {"t":"a\u2028b\u0085c"}\n\n'.encode()
    (event,) = decode([line])
    assert json.loads(event.data) == {"t": "a\u2028b\u0085c"}


def test_crlf_split_between_chunks_is_one_line_end() -> None:
    assert decode([b"data: x\r", b"\ndata: y\r", b"\n\r", b"\n"]) == [ServerSentEvent(data="x\ny")]


def test_cr_then_data_is_two_lines() -> None:
    assert decode([b"data: x\r", b"\r"]) == [ServerSentEvent(data="x")]


def test_flush_emits_an_unterminated_last_event() -> None:
    assert decode([b"data: tail"]) == [ServerSentEvent(data="tail")]
    assert decode([b"data: tail\n"]) == [ServerSentEvent(data="tail")]


def test_events_without_data_are_not_dispatched() -> None:
    assert decode([b"event: ping\n\n: keepalive\n\nid: 3\n\n"]) == []


def test_invalid_utf8_is_replaced_not_raised() -> None:
    (event,) = decode([b"data: \xff\xfe ok\n\n"])
    assert event.data.endswith(" ok")
    assert "\ufffd" in event.data


def test_field_details() -> None:
    events = decode([b"data:  two spaces\nretry: 12x\nid: a\x00b\nunknown: z\n\n"])
    assert events == [ServerSentEvent(data=" two spaces")]


def test_one_line_per_read_keeps_state_across_reads() -> None:
    # Most reads are one `data:` line and its blank line; what came before still counts.
    reads = [b"event: delta\n", b"data: a\n\n", b"data: b\n", b"data: c\n\n", b"retry: 5\n",
             b"id: 9\n", b"data:d\n\n", b"data: \xc3", b"\xa9\n\n", b"data: e\r\n\r\n"]
    assert decode(reads) == [
        ServerSentEvent(event="delta", data="a"),
        ServerSentEvent(data="b\nc"),
        ServerSentEvent(data="d", id="9", retry=5),
        ServerSentEvent(data="\u00e9", id="9"),
        ServerSentEvent(data="e", id="9"),
    ]


def test_many_events_in_one_read() -> None:
    read = b"".join(b"data: %d\n\n" % i for i in range(50)) + b"data: tail\n"
    assert decode([read]) == [ServerSentEvent(data=str(i)) for i in range(50)] + [
        ServerSentEvent(data="tail")
    ]
