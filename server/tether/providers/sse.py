"""A pure, incremental Server-Sent Events decoder: bytes in, events out, no I/O.

Fed from `response.aiter_bytes()`, never `aiter_lines()`: httpx's line iterator also
splits on U+2028, U+2029 and U+0085, which model output carries inside JSON strings, and
would cut a `data:` line in half. Here lines end only at CR, LF or CRLF (as the SSE
specification says), and lines are split as bytes before decoding, so a UTF-8 character
or a CRLF split across two network chunks comes out whole.
"""

from __future__ import annotations

from dataclasses import dataclass

_BOM = "\ufeff"


@dataclass(frozen=True)
class ServerSentEvent:
    event: str = "message"
    data: str = ""
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    """Decode an SSE byte stream chunk by chunk: `feed(chunk)` … `flush()` at EOF."""

    def __init__(self) -> None:
        self._buffer = b""
        self._skip_lf = False  # the previous chunk ended in CR: a leading LF completes CRLF
        self._first_line = True
        self._event = ""
        self._data: list[str] = []
        self._last_id: str | None = None
        self._retry: int | None = None

    @property
    def last_event_id(self) -> str | None:
        return self._last_id

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        if not chunk:
            return []
        if self._skip_lf:
            self._skip_lf = False
            if chunk.startswith(b"\n"):
                chunk = chunk[1:]
        buffer = self._buffer + chunk
        # bytes.splitlines breaks at CR, LF and CRLF only (unlike str.splitlines).
        lines = buffer.splitlines(keepends=True)
        self._buffer = lines.pop() if lines and not lines[-1].endswith((b"\n", b"\r")) else b""
        if buffer.endswith(b"\r"):
            self._skip_lf = True  # an LF opening the next chunk belongs to this CR
        events: list[ServerSentEvent] = []
        for line in lines:
            cut = 2 if line.endswith(b"\r\n") else 1
            event = self._line(line[:-cut])
            if event is not None:
                events.append(event)
        return events

    def flush(self) -> list[ServerSentEvent]:
        """End of stream: finish a last unterminated line and event.

        Lenient on purpose (the specification drops an unterminated event): a proxy that
        loses the final blank line should not lose the last event. Whether the stream was
        complete is the provider's call, from its own end marker.
        """
        events: list[ServerSentEvent] = []
        if self._buffer:
            event = self._line(self._buffer)
            self._buffer = b""
            if event is not None:
                events.append(event)
        event = self._dispatch()
        if event is not None:
            events.append(event)
        self._skip_lf = False
        return events

    def _line(self, raw: bytes) -> ServerSentEvent | None:
        line = raw.decode("utf-8", errors="replace")
        if self._first_line:
            self._first_line = False
            line = line.removeprefix(_BOM)
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None  # comment / keep-alive
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._last_id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        data, self._data = self._data, []
        event, self._event = self._event, ""
        if not data:
            return None
        retry, self._retry = self._retry, None
        return ServerSentEvent(
            event=event or "message", data="\n".join(data), id=self._last_id, retry=retry
        )
