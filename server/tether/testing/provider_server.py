"""A real HTTP model provider on loopback that plays scripted turns, for tests and demos.

Tests of providers, sessions and editors talk to this server over real TCP in the real
wire formats (OpenAI Chat Completions SSE, Anthropic Messages SSE), so the HTTP client,
the SSE decoder and the retry logic are exercised as they will be in production — no
transport mocks. Faults (429 with Retry-After, 500, 401, a dropped stream, a stalled
stream, a mid-stream error event or a garbled line echoing the client's key, a "silent"
one that sends its headers and then nothing) are part of the script.

With `context_window=N` the server behaves like a model with an N-token window: it counts
each request (JSON characters / 4, its own "tokenizer"), answers one that is too long with
the real 400 `context_length_exceeded` body of the wire format, reports the count as the
usage's prompt tokens, and (unless `report_window=False`) tells its window at llama.cpp's
`GET /props` and Ollama's `POST /api/show`. Compaction requests (Tether's summariser,
recognised by its system prompt) get `summary`, without using up a turn; `summary=""`
answers an empty summary and `summary_fault="400"`/`"500"` that error. With
`strict_tool_pairing`, a tool result whose call is not right before it (or a call left
unanswered) gets the 400 the real APIs send.

    with ScriptedProviderServer(Script([text_turn("Hi")])) as srv:
        Settings(provider="openai", openai_base_url=srv.openai_base_url, openai_api_key="test")

Standalone, for editor tests running in another process:

    python -m tether.testing.provider_server --script FILE.json [--port 0]

prints `listening on http://127.0.0.1:PORT` as its first stdout line and serves until killed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import select
import signal
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from tether.providers.script import (
    Script,
    ScriptError,
    ToolCallSpec,
    Turn,
    text_turn,
    tool_turn,
)
from tether.testing import wire_frames as wf

__all__ = [
    "Script",
    "ScriptError",
    "ScriptedProviderServer",
    "ToolCallSpec",
    "Turn",
    "main",
    "text_turn",
    "tool_turn",
]

log = logging.getLogger(__name__)

TITLE_MARKER = "You write conversation titles"  # tether.session.title.TITLE_SYSTEM_PROMPT
COMPACTION_MARKER = "You compact a coding agent's working memory"  # session.compaction
DEFAULT_SUMMARY = (
    "## Task\n- Scripted task summary: the user's request is kept in the pins.\n"
    "## Done\n- Earlier tool calls were made and their outputs read.\n"
    "## Remaining\n- Continue with the next step."
)
DEFAULT_TITLE = "Scripted session title"
OPENAI_PATH = "/v1/chat/completions"
ANTHROPIC_PATH = "/v1/messages"


class ScriptedProviderServer:
    """Plays `script` one turn per model request, in either wire format, on 127.0.0.1.

    A turn with `fault` answers its first `fault_times` requests with the fault and then
    plays normally, so "429 then success" is one turn. When the turns run out the server
    answers 500 "script exhausted" (or replays the last turn when `repeat_last`); a request
    without tools gets `Script.title`, when set, without using up a turn.
    `api_key`, when given, is required (Bearer / x-api-key) and anything else gets 401.
    """

    def __init__(
        self,
        script: Script | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        api_key: str | None = None,
        context_window: int | None = None,
        report_window: bool = True,
        summary: str | None = DEFAULT_SUMMARY,
        summary_fault: str | None = None,
        strict_tool_pairing: bool = False,
        served_context: int | None = None,
    ) -> None:
        self._script = script if script is not None else Script([])
        self.context_window = context_window
        self.report_window = report_window
        self.summary = summary
        self.summary_fault = summary_fault
        self.strict_tool_pairing = strict_tool_pairing
        self.prompt_tokens: list[int] = []  # counted size of each model request, in order
        self.rejected: list[int] = []  # sizes answered with context_length_exceeded
        self.summary_requests: list[dict[str, Any]] = []
        # When set, GET /props answers as llama.cpp's server does with this n_ctx.
        self.served_context = served_context
        self._host = host
        self._port = port
        self.api_key = api_key
        self.requests: list[dict[str, Any]] = []
        self.request_headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._next = 0
        self._faults_served = 0
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        if self._httpd is not None:
            return
        self._stopping.clear()
        self._httpd = _HTTPServer((self._host, self._port), _Handler)
        self._httpd.owner = self
        self._port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"scripted-provider-{self._port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving; stalled ("hang") responses are released, nothing blocks."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> ScriptedProviderServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- addresses ------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("ScriptedProviderServer is not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def openai_base_url(self) -> str:
        return f"{self.base_url}/v1"

    @property
    def anthropic_base_url(self) -> str:
        return self.base_url

    # --- script ---------------------------------------------------------------------------

    def set_script(self, script: Script) -> None:
        """Replace the script and start again at its first turn (requests are kept)."""
        with self._lock:
            self._script = script
            self._next = 0
            self._faults_served = 0

    @property
    def turns_played(self) -> int:
        with self._lock:
            return self._next

    def _record(self, body: dict[str, Any], headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append(body)
            self.request_headers.append(headers)

    def _take(self, has_tools: bool = True, is_title: bool = False) -> tuple[str, Turn | None, int]:
        """What to answer the next model request with: ("fault"|"play"|"exhausted", ...).

        A request without tools (a session's title request) is answered with the script's
        `title` when it has one, without using up a turn — as the replay provider does.
        Tether's own title request (recognised by its system prompt) always is, with a
        default title, so scripts need not account for it.
        """
        with self._lock:
            if not has_tools and (is_title or self._script.title is not None):
                return "play", Turn(text=self._script.title or DEFAULT_TITLE), -1
            turns = self._script.turns
            if self._next < len(turns):
                turn = turns[self._next]
                if turn.fault is not None and self._faults_served < turn.fault_times:
                    self._faults_served += 1
                    return "fault", turn, self._next
                self._next += 1
                self._faults_served = 0
                return "play", turn, self._next - 1
            if self._script.repeat_last and turns:
                last = turns[-1]
                clean = dataclasses.replace(last, fault=None)
                return "play", clean, len(turns) - 1
            return "exhausted", None, self._next


def count_tokens(body: dict[str, Any]) -> int:
    """The server's own token count of a request: system, messages and tools as JSON / 4."""
    text = json.dumps(body.get("system", "")) + json.dumps(body.get("messages", []))
    text += json.dumps(body.get("tools", []))
    return (len(text) + 3) // 4


def context_error(anthropic: bool, tokens: int, window: int) -> dict[str, Any]:
    """The real-shaped 400 body of a request longer than the window."""
    if anthropic:
        return wf.anthropic_error(f"prompt is too long: {tokens} tokens > {window} maximum",
                                  "invalid_request_error")
    return wf.openai_error(
        f"This model's maximum context length is {window} tokens. However, your messages "
        f"resulted in {tokens} tokens. Please reduce the length of the messages.",
        "invalid_request_error", "context_length_exceeded",
    )


def pairing_problem(body: dict[str, Any], anthropic: bool) -> str | None:
    """What the real API would refuse about tool calls and results, or None."""
    messages = body.get("messages") or []
    return _anthropic_pairing(messages) if anthropic else _openai_pairing(messages)


def _anthropic_pairing(messages: list[dict[str, Any]]) -> str | None:
    """Each `tool_result` answers a `tool_use` of the message right before it."""
    previous: set[str] = set()
    for i, message in enumerate(messages):
        content = message.get("content")
        blocks = content if isinstance(content, list) else []
        if message.get("role") == "user":
            for j, block in enumerate(blocks):
                if block.get("type") == "tool_result" and \
                        block.get("tool_use_id") not in previous:
                    return (f"messages.{i}.content.{j}: unexpected `tool_use_id` found in "
                            "`tool_result` blocks: " + str(block.get("tool_use_id")) +
                            ". Each `tool_result` block must have a corresponding "
                            "`tool_use` block in the previous message.")
        previous = {b.get("id") for b in blocks if b.get("type") == "tool_use"}
    return None


def _openai_pairing(messages: list[dict[str, Any]]) -> str | None:
    """Each `tool` message answers an open call, and no call is left open by the next one."""
    open_calls: set[str] = set()
    for i, message in enumerate(messages):
        role = message.get("role")
        if role == "tool":
            if message.get("tool_call_id") not in open_calls:
                return ("Invalid parameter: messages with role 'tool' must be a response to a "
                        f"preceeding message with 'tool_calls'. (messages.[{i}])")
            open_calls.discard(message.get("tool_call_id"))
            continue
        if open_calls:
            return ("An assistant message with 'tool_calls' must be followed by tool messages "
                    f"responding to each 'tool_call_id'. (messages.[{i}])")
        open_calls = {c.get("id") for c in message.get("tool_calls") or []}
    return None


def _is_compaction_request(body: dict[str, Any]) -> bool:
    if body.get("tools"):
        return False
    system = json.dumps(body.get("system", "")) + json.dumps(body.get("messages", [])[:1])
    return COMPACTION_MARKER in system


def _is_title_request(body: dict[str, Any]) -> bool:
    """Tether's title request: no tools and the title system prompt (either wire format)."""
    if body.get("tools"):
        return False
    system = json.dumps(body.get("system", "")) + json.dumps(body.get("messages", [])[:1])
    return TITLE_MARKER in system


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    owner: ScriptedProviderServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up (cancel, idle timeout) is routine here, not a failure.
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            log.debug("provider server: client %s went away: %r", client_address, exc)
            return
        log.exception("provider server: error while serving %s", client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("provider server: " + format, *args)

    @property
    def owner(self) -> ScriptedProviderServer:
        return self.server.owner

    # --- routes ---------------------------------------------------------------------------

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/v1/models":
            self._json(
                200,
                {
                    "object": "list",
                    "data": [
                        {"id": "scripted", "object": "model", "created": 0, "owned_by": "tether"}
                    ],
                },
            )
        elif path == "/api/tags":
            self._json(200, {"models": [{"name": "scripted", "model": "scripted"}]})
        elif path == "/props" and (self._window() or self.owner.served_context):
            self._json(200, {"default_generation_settings": {
                "n_ctx": self._window() or self.owner.served_context},
                "total_slots": 1, "model_path": "scripted.gguf"})
        else:
            self._json(404, wf.openai_error(f"no route GET {path}", "not_found"))

    def _window(self) -> int | None:
        owner = self.owner
        return owner.context_window if owner.report_window else None

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/api/show" and self._window() is not None:
            self._read_body()
            self._json(200, {"modelfile": "", "parameters": "", "details": {"family": "llama"},
                             "model_info": {"general.architecture": "llama",
                                            "llama.context_length": self._window()}})
            return
        if path not in (OPENAI_PATH, ANTHROPIC_PATH):
            self._read_body()
            self._json(404, wf.openai_error(f"no route POST {path}", "not_found"))
            return
        anthropic = path == ANTHROPIC_PATH
        body = self._model_request(anthropic)
        if body is None:
            return
        if _is_compaction_request(body):
            self._summarise(body, anthropic)
        else:
            self._play(body, anthropic)

    def _model_request(self, anthropic: bool) -> dict[str, Any] | None:
        """The request's body, recorded; None when it was refused as a real API would
        (not JSON, a wrong key, unpaired tool calls, longer than the window)."""
        err = wf.anthropic_error if anthropic else wf.openai_error
        raw = self._read_body()
        try:
            body = json.loads(raw or b"null")
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
        except ValueError as exc:
            self._json(400, err(f"invalid JSON body: {exc}", "invalid_request_error"))
            return None
        self.owner._record(body, {k.lower(): v for k, v in self.headers.items()})
        if not self._authorized(anthropic):
            given = self._given_key(anthropic)
            # Echo the key back, as some real APIs do: providers must not surface it.
            self._json(401, err(f"Incorrect API key provided: {given}", "authentication_error"))
            return None
        problem = pairing_problem(body, anthropic) if self.owner.strict_tool_pairing else None
        if problem is not None:
            self._json(400, err(problem, "invalid_request_error"))
            return None
        if self._refuse_too_long(body, anthropic):
            return None
        return body

    def _play(self, body: dict[str, Any], anthropic: bool) -> None:
        """Answer with the script's next turn: its fault, or the turn itself."""
        action, turn, turn_no = self.owner._take(
            has_tools=bool(body.get("tools")), is_title=_is_title_request(body)
        )
        tokens = count_tokens(body) if self.owner.context_window else None
        if turn is not None and tokens is not None and turn.usage is not None:
            turn = dataclasses.replace(turn, usage=(tokens, turn.usage[1]))
        if action == "exhausted" or turn is None:
            err = wf.anthropic_error if anthropic else wf.openai_error
            n = len(self.owner._script.turns)
            self._json(
                500, err(f"script exhausted: all {n} scripted turns were played", "api_error")
            )
            return
        model = str(body.get("model") or "scripted")
        if action == "fault":
            self._fault(turn, anthropic=anthropic, model=model, turn_no=turn_no, body=body)
            return
        self._answer(turn, anthropic=anthropic, model=model, turn_no=turn_no, body=body)

    def _answer(
        self, turn: Turn, *, anthropic: bool, model: str, turn_no: int, body: dict[str, Any]
    ) -> None:
        """A turn as the request asked for it: streamed frames or one JSON body."""
        if body.get("stream"):
            frames = self._frames(turn, anthropic=anthropic, model=model, turn_no=turn_no,
                                  body=body)
            self._stream(frames, turn.chunk_delay)
            return
        payload = (wf.anthropic_body if anthropic else wf.openai_body)(
            turn, model=model, turn_no=turn_no
        )
        self._json(200, payload)

    # --- the context window -----------------------------------------------------------------

    def _refuse_too_long(self, body: dict[str, Any], anthropic: bool) -> bool:
        owner = self.owner
        if owner.context_window is None:
            return False
        tokens = count_tokens(body)
        with owner._lock:
            owner.prompt_tokens.append(tokens)
        if tokens <= owner.context_window:
            return False
        with owner._lock:
            owner.rejected.append(tokens)
        self._json(400, context_error(anthropic, tokens, owner.context_window))
        return True

    def _summarise(self, body: dict[str, Any], anthropic: bool) -> None:
        owner = self.owner
        with owner._lock:
            owner.summary_requests.append(body)
        if owner.summary_fault is not None:
            err = wf.anthropic_error if anthropic else wf.openai_error
            status = int(owner.summary_fault)
            kind = "server_error" if status >= 500 else "invalid_request_error"
            self._json(status, err("The summariser request failed on the server.", kind))
            return
        turn = Turn(text=owner.summary or "", usage=(count_tokens(body), 40))
        model = str(body.get("model") or "scripted")
        self._answer(turn, anthropic=anthropic, model=model, turn_no=-1, body=body)

    # --- faults ---------------------------------------------------------------------------

    def _fault(
        self, turn: Turn, *, anthropic: bool, model: str, turn_no: int, body: dict[str, Any]
    ) -> None:
        err = wf.anthropic_error if anthropic else wf.openai_error
        if turn.fault == "429":
            self._json(
                429,
                err("Rate limit reached; slow down.", "rate_limit_error"),
                {"Retry-After": f"{turn.retry_after:g}"},
            )
        elif turn.fault == "500":
            self._json(
                500, err("The server had an error while processing your request.", "server_error")
            )
        elif turn.fault == "401":
            self._json(401, err("Invalid authentication.", "authentication_error"))
        elif turn.fault in ("error_event", "garbled"):
            # Half the answer, then a line echoing the key the client sent, as a broken
            # gateway or a provider's mid-stream error does: clients must not surface it.
            given = self._given_key(anthropic)
            frames = self._frames(
                turn, anthropic=anthropic, model=model, turn_no=turn_no, body=body
            )
            if turn.fault == "garbled":
                bad = wf.garbled_line(f'{{"choices": [{{"delta": {{"api_key": "{given}')
            elif anthropic:
                bad = wf.anthropic_stream_error(f"Invalid API key: {given}")
            else:
                bad = wf.openai_stream_error(f"Incorrect API key provided: {given}")
            self._stream([*frames[: max(1, len(frames) // 2)], bad], turn.chunk_delay)
        elif turn.fault == "silent":  # 200 and the stream headers, then not one byte
            self._stream([], 0.0, end="hang")
        else:
            frames = self._frames(
                turn, anthropic=anthropic, model=model, turn_no=turn_no, body=body
            )
            partial = frames[: max(1, min(len(frames) // 2, len(frames) - 1))]
            self._stream(partial, turn.chunk_delay, end=turn.fault or "drop")

    # --- writing --------------------------------------------------------------------------

    def _frames(
        self, turn: Turn, *, anthropic: bool, model: str, turn_no: int, body: dict[str, Any]
    ) -> list[bytes]:
        if anthropic:
            return wf.anthropic_frames(turn, model=model, turn_no=turn_no)
        options = body.get("stream_options") or {}
        include_usage = bool(isinstance(options, dict) and options.get("include_usage"))
        return wf.openai_frames(turn, model=model, turn_no=turn_no, include_usage=include_usage)

    def _stream(self, frames: list[bytes], delay: float, end: str = "complete") -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        if end != "complete":
            self.send_header("Connection", "close")
        self.end_headers()
        stopping = self.owner._stopping
        try:
            for i, frame in enumerate(frames):
                if i and delay and stopping.wait(delay):
                    break
                self.wfile.write(b"%X\r\n%s\r\n" % (len(frame), frame))
                self.wfile.flush()
            if end == "complete" and not stopping.is_set():
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
                return
            if end == "hang":
                self._stall()
            # A fault, or the server stopping mid-stream: cut the connection, no final chunk.
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:  # the client hung up first
            self.close_connection = True

    def _stall(self) -> None:
        """Send nothing more until the client goes away or the server stops."""
        stopping = self.owner._stopping
        while not stopping.is_set():
            readable, _, _ = select.select([self.connection], [], [], 0.05)
            if readable:
                try:
                    if self.connection.recv(1, socket.MSG_PEEK) == b"":
                        return
                except OSError:
                    return

    def _json(
        self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(payload).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    # --- auth -----------------------------------------------------------------------------

    def _given_key(self, anthropic: bool) -> str:
        if anthropic:
            return self.headers.get("x-api-key") or ""
        auth = self.headers.get("Authorization") or ""
        return auth.removeprefix("Bearer ").strip()

    def _authorized(self, anthropic: bool) -> bool:
        expected = self.owner.api_key
        return expected is None or self._given_key(anthropic) == expected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tether.testing.provider_server",
        description="Serve scripted model turns over OpenAI and Anthropic wire formats.",
    )
    parser.add_argument("--script", help='script JSON file ({"turns": [...]})')
    parser.add_argument("--port", type=int, default=0, help="port (0 = any free port)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--api-key", default=None, help="require this API key")
    parser.add_argument("--context-window", type=int, default=None,
                        help="enforce (and report at /props, /api/show) this window in tokens")
    args = parser.parse_args(argv)
    try:
        script = Script.from_file(args.script) if args.script else Script([])
    except ScriptError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    server = ScriptedProviderServer(script, host=args.host, port=args.port, api_key=args.api_key,
                                    context_window=args.context_window)
    try:
        server.start()
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    print(f"listening on {server.base_url}", flush=True)
    try:
        while not done.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
