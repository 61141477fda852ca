"""Session events leave as `tether/session/event` notifications serialized once, by
pydantic: the JSON pygls' own `notify` would send (parsed, not byte for byte), framed
the way pygls frames it, on a stream and on a WebSocket."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tether.lsp.server import TetherServer
from tether.protocol.events import (
    EventBase,
    MessageAdded,
    TextDelta,
    ToolCallStarted,
    TurnCompleted,
)
from tether.protocol.methods import SESSION_EVENT
from tether.protocol.models import Message, TextPart


class Capture:
    """A pygls writer that keeps what it is given."""

    def __init__(self) -> None:
        self.data = b""

    def write(self, data: bytes) -> None:
        self.data += data

    def close(self) -> None:
        pass


def server(capture: Capture, *, headers: bool = True) -> TetherServer:
    srv = TetherServer(index_factory=lambda folder: None)
    srv.protocol.set_writer(capture, include_headers=headers)
    return srv


def parse_frame(data: bytes) -> tuple[dict[str, str], Any]:
    head, _, body = data.partition(b"\r\n\r\n")
    headers = dict(line.split(": ", 1) for line in head.decode("ascii").split("\r\n"))
    assert int(headers["Content-Length"]) == len(body)  # bytes, not characters
    return headers, json.loads(body)


def pygls_frame(event: EventBase) -> bytes:
    """What pygls' notify writes for the event (the reference)."""
    capture = Capture()
    params: dict[str, Any] = {"sessionId": event.session_id, "seq": event.seq,
                              "event": event.to_wire()}
    if event.turn_id is not None:
        params["turnId"] = event.turn_id
    server(capture).protocol.notify(SESSION_EVENT, params)
    return capture.data


EVENTS = [
    TextDelta(session_id="s1", turn_id="t1", seq=7, message_id="m1", text="plain ascii"),
    TextDelta(session_id="s1", turn_id="t1", seq=8, message_id="m1",
              text="é 😀 \u2028 \u0085 \"quoted\" \\ \n\t"),
    MessageAdded(session_id="s1", turn_id=None, seq=9,
                 message=Message(id="m1", role="assistant", parts=[TextPart(text="hi ✓")])),
    TurnCompleted(session_id="s1", turn_id="t1", seq=10, reason="end_turn", text="done"),
    ToolCallStarted(session_id="s1", turn_id="t1", seq=11, tool_call_id="c1", name="grep",
                    arguments={"pattern": None, "paths": [None, {"x": None}], "n": 1.5}),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e.type)
def test_an_event_goes_out_as_pygls_would_send_it(event: EventBase) -> None:
    capture = Capture()
    server(capture)._send_event(event)
    headers, message = parse_frame(capture.data)
    ref_headers, reference = parse_frame(pygls_frame(event))
    assert message == reference
    assert headers["Content-Type"] == ref_headers["Content-Type"]


def test_a_lone_surrogate_goes_out_escaped() -> None:
    event = TextDelta(session_id="s1", turn_id="t1", seq=3, message_id="m1", text="a\ud800b")
    capture = Capture()
    server(capture)._send_event(event)
    _, message = parse_frame(capture.data)
    assert message["params"]["event"]["text"] == "a\ud800b"


def test_a_websocket_message_has_no_headers() -> None:
    capture = Capture()
    server(capture, headers=False)._send_event(EVENTS[1])
    message = json.loads(capture.data)
    assert message["method"] == SESSION_EVENT
    assert message["params"]["event"]["text"] == EVENTS[1].text


def test_replayed_events_go_out_in_order() -> None:
    capture = Capture()
    server(capture).send_replayed(EVENTS)  # type: ignore[arg-type]
    seqs = []
    data = capture.data
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        seqs.append(json.loads(rest[:length])["params"]["seq"])
        data = rest[length:]
    assert seqs == [7, 8, 9, 10, 11]
