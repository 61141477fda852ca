"""A pure, incremental Server-Sent Events decoder: bytes in, events out, no I/O.

Fed the response's byte chunks (`aiter_raw()` or `aiter_bytes()`), never `aiter_lines()`:
httpx's line iterator also splits on U+2028, U+2029 and U+0085, which model output
carries inside JSON strings, and would cut a `data:` line in half. Here lines end only at
CR, LF or CRLF (as the SSE specification says). A read's complete lines are cut off as
bytes at the last line end (so a UTF-8 character or a CRLF split across two network reads
comes out whole), then decoded and split in one pass; the read most streams consist of,
one `data:` line and its blank line, skips even that.
"""

from __future__ import annotations

from typing import NamedTuple

_BOM = "\ufeff"
_CR, _SPACE = 13, 32


class ServerSentEvent(NamedTuple):
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
        if (
            chunk.endswith(b"\n\n")
            and chunk.startswith(b"data:")
            and not self._buffer
            and not self._data
            and chunk.find(b"\n") == len(chunk) - 2
            and b"\r" not in chunk
        ):
            return [self._one_data_event(chunk)]
        return self._feed_lines(chunk) if chunk else []

    def _one_data_event(self, chunk: bytes) -> ServerSentEvent:
        """The read most of a stream is: one `data:` line and its blank line, with nothing
        pending before it. Its event without splitting it into lines."""
        self._skip_lf = self._first_line = False
        value = chunk[6:-2] if chunk[5] == _SPACE else chunk[5:-2]
        event, self._event = self._event, ""
        retry, self._retry = self._retry, None
        return ServerSentEvent(
            event or "message", value.decode("utf-8", errors="replace"), self._last_id, retry
        )

    def _feed_lines(self, chunk: bytes) -> list[ServerSentEvent]:
        if self._skip_lf:
            self._skip_lf = False
            if chunk.startswith(b"\n"):
                chunk = chunk[1:]
        buffer = self._buffer + chunk if self._buffer else chunk
        end = max(buffer.rfind(b"\n"), buffer.rfind(b"\r"))
        if end < 0:
            self._buffer = buffer
            return []
        self._buffer = buffer[end + 1 :]
        if buffer[end] == _CR:
            # an LF opening the next chunk belongs to this CR
            self._skip_lf = end == len(buffer) - 1
        elif end and buffer[end - 1] == _CR:
            end -= 1  # the last line ends in CRLF: cut both
        return self._lines(buffer[:end].decode("utf-8", errors="replace"))

    def flush(self) -> list[ServerSentEvent]:
        """End of stream: finish a last unterminated line and event.

        Lenient on purpose (the specification drops an unterminated event): a proxy that
        loses the final blank line should not lose the last event. Whether the stream was
        complete is the provider's call, from its own end marker.
        """
        events: list[ServerSentEvent] = []
        if self._buffer:
            events = self._lines(self._buffer.decode("utf-8", errors="replace"))
            self._buffer = b""
        event = self._dispatch()
        if event is not None:
            events.append(event)
        self._skip_lf = False
        return events

    def _lines(self, text: str) -> list[ServerSentEvent]:
        """Complete lines (their last line end already cut off) to the events they end."""
        if self._first_line:
            self._first_line = False
            text = text.removeprefix(_BOM)
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        events: list[ServerSentEvent] = []
        data = self._data
        for line in text.split("\n"):
            if line.startswith("data:"):  # the hot path
                data.append(line[6:] if line.startswith(" ", 5) else line[5:])
            elif not line:
                event = self._dispatch()
                if event is not None:
                    events.append(event)
                data = self._data
            elif not line.startswith(":"):  # a colon opens a comment / keep-alive
                self._field(line)
        return events

    def _field(self, line: str) -> None:
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

    def _dispatch(self) -> ServerSentEvent | None:
        data, self._data = self._data, []
        event, self._event = self._event, ""
        if not data:
            return None
        retry, self._retry = self._retry, None
        text = data[0] if len(data) == 1 else "\n".join(data)
        return ServerSentEvent(event or "message", text, self._last_id, retry)
