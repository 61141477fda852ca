"""A real HTTP model provider on loopback that plays scripted turns, for tests and demos.

Tests of providers, sessions and editors talk to this server over real TCP in the real
wire formats (OpenAI Chat Completions SSE, Anthropic Messages SSE), so the HTTP client,
the SSE decoder and the retry logic are exercised as they will be in production — no
transport mocks. Faults (429 with Retry-After, 500, 401, a dropped stream, a stalled
stream, a mid-stream error event or a garbled line echoing the client's key, a "silent"
one that sends its headers and then nothing) are part of the script.

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
        served_context: int | None = None,
    ) -> None:
        self._script = script if script is not None else Script([])
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
        elif path == "/props" and self.owner.served_context:
            self._json(200, {"default_generation_settings": {"n_ctx": self.owner.served_context}})
        else:
            self._json(404, wf.openai_error(f"no route GET {path}", "not_found"))

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0]
        if path not in (OPENAI_PATH, ANTHROPIC_PATH):
            self._read_body()
            self._json(404, wf.openai_error(f"no route POST {path}", "not_found"))
            return
        anthropic = path == ANTHROPIC_PATH
        err = wf.anthropic_error if anthropic else wf.openai_error
        raw = self._read_body()
        try:
            body = json.loads(raw or b"null")
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
        except ValueError as exc:
            self._json(400, err(f"invalid JSON body: {exc}", "invalid_request_error"))
            return
        self.owner._record(body, {k.lower(): v for k, v in self.headers.items()})
        if not self._authorized(anthropic):
            given = self._given_key(anthropic)
            # Echo the key back, as some real APIs do: providers must not surface it.
            self._json(401, err(f"Incorrect API key provided: {given}", "authentication_error"))
            return
        action, turn, turn_no = self.owner._take(
            has_tools=bool(body.get("tools")), is_title=_is_title_request(body)
        )
        if action == "exhausted" or turn is None:
            n = len(self.owner._script.turns)
            self._json(
                500, err(f"script exhausted: all {n} scripted turns were played", "api_error")
            )
            return
        model = str(body.get("model") or "scripted")
        if action == "fault":
            self._fault(turn, anthropic=anthropic, model=model, turn_no=turn_no, body=body)
            return
        if not body.get("stream"):
            payload = (wf.anthropic_body if anthropic else wf.openai_body)(
                turn, model=model, turn_no=turn_no
            )
            self._json(200, payload)
            return
        frames = self._frames(turn, anthropic=anthropic, model=model, turn_no=turn_no, body=body)
        self._stream(frames, turn.chunk_delay)

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
    args = parser.parse_args(argv)
    try:
        script = Script.from_file(args.script) if args.script else Script([])
    except ScriptError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    server = ScriptedProviderServer(script, host=args.host, port=args.port, api_key=args.api_key)
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
