"""One streamed POST to a provider: httpx in, SSE events out, errors translated once.

Everything a provider can meet on the wire — connection refused, a slow first byte, a
non-2xx answer, a connection that breaks mid-stream, a stream that goes silent — becomes a
`tether.errors.ProviderError` here, with a message written for the user and every secret
scrubbed, so the wire-format modules only parse events.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
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
    # Read timeouts are enforced per chunk by `post_sse`; httpx's own bounds the rest.
    timeout = httpx.Timeout(timeouts.request, read=None)
    return httpx.AsyncClient(timeout=timeout, transport=transport, follow_redirects=False)


class IdleWatchdog:
    """The per-chunk idle timeout and the request deadline, with one timer per stream.

    `asyncio.timeout` around every read costs a timer and two context switches per token;
    this timer is pushed forward lazily and cancels the task only while it is reading,
    turning that cancel into TimeoutError exactly as `asyncio.timeout` would. `expired`
    says which bound it was: "idle" (no byte for `idle` seconds) or "deadline".
    """

    def __init__(self, idle: float, deadline: float | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        self._task = task
        self._idle = idle
        self._deadline = deadline
        self._read_started = self._loop.time()
        self._reading = False
        self._fired = False
        self.expired: str | None = None
        self._handle = self._loop.call_at(self._due(), self._check)

    async def read(self, chunks: AsyncIterator[bytes]) -> bytes:
        self._read_started = self._loop.time()
        if self._deadline is not None and self._read_started >= self._deadline:
            self.expired = "deadline"  # it passed while the consumer was busy
            raise TimeoutError
        self._reading = True
        try:
            return await anext(chunks)
        except asyncio.CancelledError:
            if self._fired:
                self._fired = False
                if self._task.uncancel() == 0:
                    raise TimeoutError from None
            raise
        finally:
            self._reading = False

    def _due(self) -> float:
        due = self._read_started + self._idle
        return due if self._deadline is None else min(due, self._deadline)

    def _check(self) -> None:
        now = self._loop.time()
        due = self._due()
        if self._reading and now >= due:
            self.expired = (
                "deadline" if self._deadline is not None and now >= self._deadline else "idle"
            )
            self._fired = True
            self._task.cancel()
            return
        later = due if self._reading else now + self._idle
        if not self._reading and self._deadline is not None and self._deadline > now:
            later = min(later, self._deadline)
        self._handle = self._loop.call_at(later, self._check)

    def close(self) -> None:
        self._handle.cancel()


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


async def post_sse(
    client: httpx.AsyncClient,
    endpoint: Endpoint,
    path: str,
    *,
    body: dict[str, Any],
    headers: Mapping[str, str],
    secrets: Sequence[str],
    timeouts: Timeouts,
    state: AttemptState,
) -> AsyncGenerator[list[ServerSentEvent], None]:
    """POST `body` and yield its SSE events, one list per network read.

    Batches let the provider merge the many tiny deltas one read carries into one event,
    so the layers above pay per read, not per token. `state.started` once a 2xx arrived.
    """
    url = endpoint.base_url.rstrip("/") + path
    try:
        request = client.build_request("POST", url, json=body, headers=dict(headers))
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as exc:
        raise _transport_error(httpx.InvalidURL(str(exc)), endpoint, secrets) from None
    loop = asyncio.get_running_loop()
    first_byte = loop.time() + timeouts.request
    if state.deadline is not None and state.deadline <= first_byte:
        first_byte = state.deadline
    try:
        async with asyncio.timeout_at(first_byte):
            response = await client.send(request, stream=True)
    except TimeoutError:
        if state.deadline is not None and loop.time() >= state.deadline:
            raise deadline_error(endpoint, timeouts) from None
        raise ProviderTimeoutError(
            f"{endpoint.vendor} did not answer within {timeouts.request:g} s."
        ) from None
    except httpx.HTTPError as exc:
        raise _transport_error(exc, endpoint, secrets) from None
    try:
        if not 200 <= response.status_code < 300:
            try:
                async with asyncio.timeout(timeouts.request):
                    raw = await response.aread()
            except (TimeoutError, httpx.HTTPError):
                raw = b""
            raise status_error(response.status_code, response.headers, raw, endpoint, secrets)
        state.started = True
        decoder = SSEDecoder()
        chunks = response.aiter_bytes()
        watchdog = IdleWatchdog(timeouts.idle, state.deadline)
        received = False
        try:
            while True:
                try:
                    chunk = await watchdog.read(chunks)
                except StopAsyncIteration:
                    break
                except TimeoutError:
                    if watchdog.expired == "deadline":
                        raise deadline_error(endpoint, timeouts) from None
                    raise idle_error(endpoint, timeouts, received=received) from None
                except httpx.HTTPError as exc:
                    raise ProviderStreamError(
                        f"The response stream from {endpoint.vendor} broke off "
                        f"({redact(_reason(exc), secrets)})."
                    ) from None
                received = received or bool(chunk)
                batch = decoder.feed(chunk)
                if batch:
                    yield batch
        finally:
            watchdog.close()
            close = getattr(chunks, "aclose", None)
            if close is not None:
                await close()
        tail = decoder.flush()
        if tail:
            yield tail
    finally:
        await response.aclose()


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
