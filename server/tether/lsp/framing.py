"""Reading JSON-RPC messages: the base-protocol framing and the envelope, strictly.

pygls' own loop (`pygls.io_.run_async`) skips any header line it does not recognise and
waits for a Content-Length that never comes, so one bad header leaves the server alive but
deaf; and a body that is not JSON is logged and never answered. Here:

- a body that is not JSON gets a `-32700` answer, valid JSON that is not a JSON-RPC message
  gets `-32600` (with the message's id when it has a usable one), and the next message is
  read as usual: the framing told us where the bad body ended, so nothing is lost;
- a framing error (a header without Content-Length, a bad, negative or oversized length, a
  header line without a colon or too long, input ending inside a message) cannot be
  resynchronised from: the byte stream no longer says where the next message starts.
  `FramingError` ends the loop; over stdio the server logs one line and exits non-zero, so
  the editor (which restarts a crashed server) brings a fresh one up.

`serve_stream` is a drop-in for `pygls.io_.run_async` (stdio, TCP: a TCP server closes
just that connection on FramingError) and `serve_websocket` for `pygls.io_.run_websocket`
(a frame is one message, so only the envelope rules apply). Every transport thus reads
through the same code.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import queue
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, BinaryIO, Protocol

from pygls.exceptions import JsonRpcException
from pygls.protocol import JsonRPCProtocol

from tether.protocol.error_codes import ErrorCode
from tether.protocol.models import MAX_MESSAGE_BYTES
from tether.supervisor import TaskSupervisor

log = logging.getLogger(__name__)

# The largest body accepted. Editors send whole documents (didOpen, didChange with full
# sync) and Tether's prompts carry attachments, so a few MB must pass; nothing legitimate
# comes near 64 MB, and a larger length is far more likely a corrupt stream than a message
# (a misread length of 2**32 would otherwise have the server buffer 4 GB before failing).
MAX_CONTENT_LENGTH = MAX_MESSAGE_BYTES
MAX_HEADER_LINE = 8 * 1024  # LSP has two short headers; a longer line is not a header
MAX_HEADER_LINES = 32

PARSE_ERROR = int(ErrorCode.PARSE_ERROR)
INVALID_REQUEST = int(ErrorCode.INVALID_REQUEST)

ErrorHandler = Callable[[Exception, type[JsonRpcException]], Any]
_SENDS = TaskSupervisor("websocket")  # `send_serialized`'s sends in flight, failures logged


class FramingError(Exception):
    """The input stream is not LSP base-protocol framing; no later byte can be trusted."""


class AsyncLineReader(Protocol):
    """What the loop reads from: asyncio.StreamReader (TCP) or `StdinReader`."""

    def readline(self) -> Awaitable[bytes]: ...

    def readexactly(self, n: int) -> Awaitable[bytes]: ...


class StdinReader:
    """stdin read in a daemon thread of its own, with the header line bounded.

    The thread is dedicated (not pygls' worker pool, which tools can keep busy), so a
    message is read even when every worker is taken; and it is a daemon, so a process
    leaving on `exit` or on a framing error never waits for a read the editor will not
    complete (concurrent.futures threads are joined at interpreter exit).
    """

    def __init__(self, stdin: BinaryIO) -> None:
        self._stdin = stdin
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._work, name="tether-stdin", daemon=True)
        self._thread.start()

    def readline(self) -> Awaitable[bytes]:
        return self._submit(self._stdin.readline, MAX_HEADER_LINE + 1)

    def readexactly(self, n: int) -> Awaitable[bytes]:
        return self._submit(self._stdin.read, n)  # blocks until n bytes or the end of input

    def close(self) -> None:
        self._jobs.put(None)

    def _submit(self, read: Callable[[int], bytes], n: int) -> asyncio.Future[bytes]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bytes] = loop.create_future()
        self._jobs.put(_Job(loop, future, read, n))
        return future

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                data = job.read(job.n)
            except Exception as exc:
                deliver: Callable[[], None] = partial(_fail, job.future, exc)
            else:
                deliver = partial(_succeed, job.future, data)
            try:
                job.loop.call_soon_threadsafe(deliver)
            except RuntimeError:  # the loop is closed: nobody waits any more
                return


@dataclass(frozen=True)
class _Job:
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[bytes]
    read: Callable[[int], bytes]
    n: int


def _succeed(future: asyncio.Future[bytes], data: bytes) -> None:
    if not future.done():
        future.set_result(data)


def _fail(future: asyncio.Future[bytes], exc: Exception) -> None:
    if not future.done():
        future.set_exception(exc)


def _show(raw: bytes) -> str:
    text = repr(raw[:60])
    return text + ("..." if len(raw) > 60 else "")


async def _readline(reader: AsyncLineReader) -> bytes:
    try:
        line = await reader.readline()
    except (ValueError, asyncio.LimitOverrunError) as exc:  # StreamReader's line limit
        raise FramingError(f"a header line longer than the stream allows ({exc})") from None
    if len(line) > MAX_HEADER_LINE:
        raise FramingError(f"a header line longer than {MAX_HEADER_LINE} bytes: {_show(line)}")
    return line


def content_length(value: bytes) -> int:
    """The body length a Content-Length value declares; FramingError unless plain digits."""
    digits = value.strip()
    if not digits.isdigit():
        raise FramingError(f"invalid Content-Length {_show(value.strip())}")
    length = int(digits)
    if length > MAX_CONTENT_LENGTH:
        raise FramingError(
            f"Content-Length {length} is over the {MAX_CONTENT_LENGTH}-byte cap")
    return length


async def read_frame(reader: AsyncLineReader) -> bytes | None:
    """The next message body; None at a clean end of input (between two messages)."""
    length: int | None = None
    for count in range(MAX_HEADER_LINES + 1):
        line = await _readline(reader)
        if not line:
            if count == 0:
                return None
            raise FramingError("the input ended inside a message header")
        if not line.endswith(b"\n"):
            raise FramingError(f"the input ended inside a header line: {_show(line)}")
        header = line.rstrip(b"\r\n")
        if not header:
            break
        name, colon, value = header.partition(b":")
        if not colon:
            raise FramingError(f"a header line without a colon: {_show(header)}")
        if name.strip().lower() == b"content-length":
            length = content_length(value)
    else:
        raise FramingError(f"more than {MAX_HEADER_LINES} header lines in one message")
    if length is None:
        raise FramingError("a message header without Content-Length")
    try:
        body = await reader.readexactly(length)
    except asyncio.IncompleteReadError as exc:
        body = exc.partial
    if len(body) < length:
        raise FramingError(
            f"the input ended after {len(body)} of the {length} body bytes declared")
    return body


# -- the envelope -------------------------------------------------------------------------


@dataclass(frozen=True)
class Invalid:
    """Why a decoded body is not a JSON-RPC message, and the id to answer to."""

    code: int
    message: str
    msg_id: int | str | None = None


def _usable_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def check_envelope(data: Any) -> Invalid | None:
    """None for a JSON-RPC 2.0 request, notification or response; else what is wrong.

    Pure: params and results are the method's business (pygls and the handlers check
    them and answer -32602 themselves).
    """
    if isinstance(data, list):
        return Invalid(INVALID_REQUEST, "batch messages are not supported by LSP: "
                                        "send one JSON-RPC object per message")
    if not isinstance(data, dict):
        return Invalid(INVALID_REQUEST, f"a JSON-RPC message is an object, not "
                                        f"{_json_kind(data)}")
    has_id = "id" in data
    msg_id = data.get("id")
    if has_id and msg_id is not None and not _usable_id(msg_id):
        return Invalid(INVALID_REQUEST, f"the id must be a string or an integer, not "
                                        f"{_json_kind(msg_id)}")
    answer_to = msg_id if _usable_id(msg_id) else None
    if data.get("jsonrpc") != "2.0":
        return Invalid(INVALID_REQUEST, 'the message lacks "jsonrpc": "2.0"', answer_to)
    if "method" in data:
        if not isinstance(data["method"], str):
            return Invalid(INVALID_REQUEST, f"the method must be a string, not "
                                            f"{_json_kind(data['method'])}", answer_to)
        return None
    if has_id and ("result" in data or "error" in data):
        return None  # a response to one of our requests
    return Invalid(INVALID_REQUEST, "neither a request, a notification nor a response "
                                    "(no method, no result, no error)", answer_to)


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def send_error(protocol: JsonRPCProtocol, invalid: Invalid) -> None:
    """Answer a message that could not be read (`id: null` when its id is not known)."""
    protocol._send_data({  # pygls' writer: its framing, its transport
        "jsonrpc": "2.0",
        "id": invalid.msg_id,
        "error": {"code": invalid.code, "message": invalid.message},
    })


def send_serialized(protocol: JsonRPCProtocol, body: bytes) -> None:
    """Write one message its sender serialized to JSON already, framed as pygls frames
    its own (Content-Length in bytes and Content-Type on a stream, none on a WebSocket),
    on pygls' writer.

    pygls passes every message it sends through cattrs and `json.dumps`; a session event
    is a pydantic model, which serializes itself in a tenth of that time.
    """
    if protocol.writer is None:
        log.error("cannot send a message: no transport yet")
        return
    if protocol._include_headers:
        body = b"Content-Length: %d\r\nContent-Type: %s; charset=%s\r\n\r\n%s" % (
            len(body), protocol.CONTENT_TYPE.encode(), protocol.CHARSET.encode(), body)
    result = protocol.writer.write(body)
    if inspect.isawaitable(result):  # WebSocket: a send, held until it is done
        _SENDS.spawn(_awaited(result), "event send")


async def _awaited(sending: Awaitable[None]) -> None:
    await sending


def handle_body(
    protocol: JsonRPCProtocol, body: bytes, error_handler: ErrorHandler | None = None
) -> None:
    """Decode one message body and hand it to pygls; answer it when it cannot be read."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        log.warning("answered -32700: a message body that is not JSON (%s)", reason)
        send_error(protocol, Invalid(PARSE_ERROR, f"parse error: not JSON ({reason})"))
        return
    invalid = check_envelope(data)
    if invalid is not None:
        log.warning("answered -32600: %s", invalid.message)
        send_error(protocol, invalid)
        return
    try:
        # Only the top-level object is a message: pygls' object_hook would also try to
        # structure any nested object that happens to have a "jsonrpc" key.
        protocol.handle_message(protocol.structure_message(data))
    except Exception as exc:
        log.debug("cannot handle a message", exc_info=True)
        if error_handler is not None:
            error_handler(exc, JsonRpcException)


async def serve_stream(
    stop_event: threading.Event,
    reader: AsyncLineReader,
    protocol: JsonRPCProtocol,
    logger: logging.Logger | None = None,
    error_handler: ErrorHandler | None = None,
) -> None:
    """Read and dispatch messages until the input ends; FramingError when it is garbled."""
    del logger  # pygls' signature; this module logs under its own name
    while not stop_event.is_set():
        body = await read_frame(reader)
        if body is None:
            return
        handle_body(protocol, body, error_handler)


async def serve_websocket(
    websocket: Any,
    stop_event: threading.Event,
    protocol: JsonRPCProtocol,
    logger: logging.Logger | None = None,
    error_handler: ErrorHandler | None = None,
) -> None:
    """`pygls.io_.run_websocket` with the envelope answers: each frame is one message."""
    from pygls.io_ import WebSocketWriter
    from websockets.exceptions import ConnectionClosed

    del logger  # pygls' signature; this module logs under its own name
    protocol.set_writer(WebSocketWriter(websocket), include_headers=False)
    try:
        while not stop_event.is_set():
            try:
                data = await websocket.recv(decode=False)
            except ConnectionClosed:
                return
            handle_body(protocol, data, error_handler)
    finally:
        await websocket.close()
