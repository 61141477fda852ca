"""One streamed POST to a provider: httpx in, SSE events out, errors translated once.

Everything a provider can meet on the wire — connection refused, a slow first byte, a
non-2xx answer, a connection that breaks mid-stream, a stream that goes silent — becomes a
`tether.errors.ProviderError` here, with a message written for the user and every secret
scrubbed, so the wire-format modules only parse events.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import ssl
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from tether.errors import (
    ContextLengthExceededError,
    ProviderAuthError,
    ProviderError,
    ProviderRateLimitError,
    ProviderResponseError,
    ProviderStreamError,
    ProviderTimeoutError,
    ProviderUnavailableError,
)
from tether.providers.context_limit import (
    is_context_length_error,
    named_limit,
    named_prompt_tokens,
)
from tether.providers.retry import AttemptState, keep_message, parse_retry_after
from tether.providers.sse import ServerSentEvent, SSEDecoder
from tether.providers.watchdog import IdleWatchdog
from tether.redaction import REDACTOR

log = logging.getLogger(__name__)

_MAX_DETAIL = 300


@dataclass(frozen=True)
class Endpoint:
    """Who we are talking to, for messages: "OpenAI", "Ollama", "Anthropic"."""

    vendor: str
    base_url: str
    key_env: str | None = None  # the variable that holds the key, for the 401 hint
    unavailable_message: str | None = None  # the whole sentence for "nothing listening"

    @property
    def display_url(self) -> str:
        try:
            url = httpx.URL(self.base_url)
            return str(url.copy_with(username=None, password=None, query=None))
        except (httpx.InvalidURL, TypeError, ValueError):
            return "(invalid URL)"


@dataclass(frozen=True)
class Timeouts:
    request: float = 60.0  # connect and first byte of the answer
    idle: float = 60.0  # longest silence between two chunks of a stream
    deadline: float = 1800.0  # one model call in all: every attempt, back-off and stream


def make_client(
    timeouts: Timeouts, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    # Read timeouts are enforced per chunk by `SSEStream`; httpx's own bounds the rest.
    timeout = httpx.Timeout(timeouts.request, read=None)
    return httpx.AsyncClient(
        timeout=timeout, transport=transport, verify=ssl_context(), follow_redirects=False
    )


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """httpx's default TLS context (certifi, or SSL_CERT_FILE / SSL_CERT_DIR), built once.

    Loading the CA bundle takes tens of milliseconds, and a session makes a client for
    every turn: without the cache every prompt pays it before its first token.
    """
    return httpx.create_ssl_context()


def deadline_error(endpoint: Endpoint, timeouts: Timeouts) -> ProviderTimeoutError:
    """The whole model call ran out of time: final, a retry would start past it."""
    error = ProviderTimeoutError(
        f"{endpoint.vendor} gave no complete answer within {timeouts.deadline:g} s "
        "(request_deadline); the request was stopped."
    )
    error.retryable = False
    return error


def idle_error(endpoint: Endpoint, timeouts: Timeouts, *, received: bool) -> ProviderTimeoutError:
    """A stream that went silent. Not retried: a server that stalls once mostly stalls
    again, and every retry would cost the user another `idle` seconds of nothing."""
    where = "in the middle of a response" if received else "after the response headers"
    error = ProviderTimeoutError(
        f"{endpoint.vendor} sent nothing for {timeouts.idle:g} s {where} (idle_timeout)."
    )
    error.retryable = False
    return error


async def open_sse(
    client: httpx.AsyncClient,
    endpoint: Endpoint,
    path: str,
    *,
    body: dict[str, Any],
    headers: Mapping[str, str],
    secrets: Sequence[str],
    timeouts: Timeouts,
    state: AttemptState,
) -> SSEStream:
    """POST `body` and return its event stream once a 2xx arrived (`state.started`).

    A non-2xx answer, or no answer within the request timeout, raises here.
    """
    url = endpoint.base_url.rstrip("/") + path
    try:
        request = client.build_request("POST", url, json=body, headers=dict(headers))
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as exc:
        raise _transport_error(httpx.InvalidURL(str(exc)), endpoint, secrets) from None
    response = await _send(client, request, endpoint, secrets, timeouts, state.deadline)
    if not 200 <= response.status_code < 300:
        try:
            raw = await _error_body(response, timeouts)
        finally:
            await response.aclose()
        raise status_error(response.status_code, response.headers, raw, endpoint, secrets)
    state.started = True
    return SSEStream(response, endpoint, timeouts, secrets, state.deadline)


async def _send(
    client: httpx.AsyncClient,
    request: httpx.Request,
    endpoint: Endpoint,
    secrets: Sequence[str],
    timeouts: Timeouts,
    deadline: float | None,
) -> httpx.Response:
    """The response headers, within the request timeout (and the call's deadline)."""
    loop = asyncio.get_running_loop()
    first_byte = loop.time() + timeouts.request
    if deadline is not None and deadline <= first_byte:
        first_byte = deadline
    try:
        async with asyncio.timeout_at(first_byte):
            return await client.send(request, stream=True)
    except TimeoutError:
        if deadline is not None and loop.time() >= deadline:
            raise deadline_error(endpoint, timeouts) from None
        raise ProviderTimeoutError(
            f"{endpoint.vendor} did not answer within {timeouts.request:g} s."
        ) from None
    except httpx.HTTPError as exc:
        raise _transport_error(exc, endpoint, secrets) from None


async def _error_body(response: httpx.Response, timeouts: Timeouts) -> bytes:
    """What a non-2xx answer says, if it says it within the request timeout."""
    try:
        async with asyncio.timeout(timeouts.request):
            return await response.aread()
    except (TimeoutError, httpx.HTTPError):
        return b""


def body_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    """The body of a streamed response, a network read at a time.

    A content-encoded body is decoded (`aiter_bytes`). A plain one is read from the
    transport's byte stream itself: `aiter_raw` wraps it in a generator and a chunker
    that cost more per token than the SSE decoder does, for nothing an event stream
    needs (its byte count, its consumed flag). The transport still maps its errors to
    httpx's, and closing the response still returns the connection to the pool.
    """
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        return response.aiter_bytes()
    if isinstance(response.stream, httpx.AsyncByteStream):
        return aiter(response.stream)
    return response.aiter_raw()  # a sync stream: aiter_raw says why it cannot be read


class SSEStream:
    """An open event stream: `read()` gives the events of the next network read.

    Events come a read at a time, so the layers above pay per read, not per event; and
    plain (not content-encoded) bodies are read from the transport's stream itself
    (`body_chunks`), two iterators less per read.
    """

    def __init__(
        self,
        response: httpx.Response,
        endpoint: Endpoint,
        timeouts: Timeouts,
        secrets: Sequence[str],
        deadline: float | None,
    ) -> None:
        self._response = response
        self._endpoint = endpoint
        self._timeouts = timeouts
        self._secrets = secrets
        self._chunks = body_chunks(response)
        self._decoder = SSEDecoder()
        self._watchdog = IdleWatchdog(timeouts.idle, deadline)
        self._received = False
        self._ended = False

    async def read(self) -> list[ServerSentEvent] | None:
        """The events the next read(s) complete, at least one; None once the stream ended."""
        watchdog = self._watchdog
        while not self._ended:
            try:
                watchdog.start_read()
                try:
                    chunk = await anext(self._chunks)
                finally:
                    watchdog.end_read()
            except asyncio.CancelledError:
                if not watchdog.timed_out():
                    raise
                raise self._read_error(TimeoutError()) from None
            except StopAsyncIteration:
                self._ended = True
                return self._decoder.flush() or None
            except (TimeoutError, httpx.HTTPError) as exc:
                raise self._read_error(exc) from None
            if chunk:
                self._received = True
                events = self._decoder.feed(chunk)
                if events:
                    return events
        return None

    async def aclose(self) -> None:
        self._ended = True
        self._watchdog.close()
        try:
            close = getattr(self._chunks, "aclose", None)
            if close is not None:
                await close()
        finally:
            await self._response.aclose()

    def _read_error(self, exc: TimeoutError | httpx.HTTPError) -> ProviderError:
        if isinstance(exc, httpx.HTTPError):
            return ProviderStreamError(
                f"The response stream from {self._endpoint.vendor} broke off "
                f"({redact(_reason(exc), self._secrets)})."
            )
        if self._watchdog.expired == "deadline":
            return deadline_error(self._endpoint, self._timeouts)
        return idle_error(self._endpoint, self._timeouts, received=self._received)


def status_error(
    status: int,
    headers: Mapping[str, str],
    raw: bytes,
    endpoint: Endpoint,
    secrets: Sequence[str],
) -> ProviderError:
    detail = error_detail(raw, secrets) or f"HTTP {status}"
    vendor = endpoint.vendor
    data: dict[str, Any] = {"status": status}
    if status in (401, 403):
        what = "rejected the API key" if status == 401 else "refused access"
        hint = (
            f"set {endpoint.key_env} to a valid key"
            if endpoint.key_env
            else "check the API key the server expects"
        )
        return ProviderAuthError(
            f"{vendor} {what} (HTTP {status}): {hint}. It said: {detail}", data=data
        )
    if status == 429:
        return ProviderRateLimitError(
            f"{vendor} is rate limiting requests (HTTP 429): {detail}",
            retry_after=parse_retry_after(headers),
            data=data,
        )
    if status == 408:
        return ProviderTimeoutError(f"{vendor} timed out the request (HTTP 408).", data=data)
    if status >= 500:
        return ProviderResponseError(
            f"{vendor} had a server error (HTTP {status}): {detail}", status=status, data=data
        )
    body_text = raw.decode("utf-8", errors="replace")
    if is_context_length_error(status, body_text):
        return ContextLengthExceededError(
            f"{vendor} refused the request as too long for the model's window "
            f"(HTTP {status}): {detail}",
            status=status, limit=named_limit(body_text),
            prompt_tokens=named_prompt_tokens(body_text), data=data,
        )
    hint = ""
    if status == 404 and vendor == "Ollama":
        hint = " (is the model pulled? try `ollama pull <model>`)"
    return ProviderResponseError(
        f"{vendor} refused the request (HTTP {status}): {detail}{hint}", status=status, data=data
    )


def error_detail(raw: bytes, secrets: Sequence[str] = ()) -> str:
    """The provider's own error message from a JSON (or plain text) error body, redacted
    before it is clipped (a clip through a key would leave a piece no pattern knows)."""
    text = raw.decode("utf-8", errors="replace").strip()
    if not text:
        return ""
    try:
        body = json.loads(text)
    except ValueError:
        return clip(redact(" ".join(text.split()), secrets))
    return clip(redact(message_from_json(body) or " ".join(text.split()), secrets))


def message_from_json(body: Any) -> str:
    """`{"error": {"message"}}` (OpenAI, Anthropic), `{"error": "..."}` (Ollama), ..."""
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, str):
            return error
        if isinstance(error, dict):
            for key in ("message", "detail", "msg"):
                value = error.get(key)
                if isinstance(value, str) and value:
                    return value
        for key in ("message", "detail"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
    return ""


def redact(text: str, secrets: Sequence[str] = ()) -> str:
    """The redactor's masking, plus this request's own key however short it is."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return REDACTOR.redact(text)


def clip(text: str, limit: int = _MAX_DETAIL) -> str:
    """Shorten provider text for a message; clip only text that was already redacted."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reason(exc: BaseException) -> str:
    return (str(exc) or type(exc).__name__).rstrip(".")


def _transport_error(
    exc: httpx.HTTPError | httpx.InvalidURL, endpoint: Endpoint, secrets: Sequence[str]
) -> ProviderError:
    reason = redact(_reason(exc), secrets)
    if isinstance(exc, httpx.TimeoutException):
        return ProviderTimeoutError(
            f"Connecting to {endpoint.vendor} at {endpoint.display_url} timed out ({reason})."
        )
    if isinstance(exc, httpx.ConnectError):
        if endpoint.unavailable_message:
            return keep_message(ProviderUnavailableError(endpoint.unavailable_message))
        return ProviderUnavailableError(
            f"Cannot connect to {endpoint.vendor} at {endpoint.display_url} ({reason}): "
            "check the address and that the server is running."
        )
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        unusable = ProviderUnavailableError(
            f"The {endpoint.vendor} address {endpoint.base_url!r} is not usable ({reason}): "
            "give a full http:// or https:// URL."
        )
        unusable.retryable = False  # no retry will fix the setting
        return unusable
    return ProviderUnavailableError(
        f"The connection to {endpoint.vendor} at {endpoint.display_url} failed ({reason})."
    )
