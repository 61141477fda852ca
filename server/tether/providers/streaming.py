"""What the two wire formats share: the key, one client, retries, the SSE read loop.

A wire format supplies its path, auth headers, request body and a parser; this base
parses each network read's events into provider events in one call, so a streamed token
crosses one async generator (the retry loop) on its way to the session, not four.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, ClassVar, Protocol

import httpx
from pydantic import SecretStr

from tether.errors import ProviderAuthError
from tether.providers.base import ChatRequest, ProviderEvent
from tether.providers.http import Endpoint, SSEStream, Timeouts, make_client, open_sse
from tether.providers.retry import AttemptState, RetryPolicy, with_retries
from tether.providers.sse import ServerSentEvent
from tether.redaction import add_secrets


class WireParser(Protocol):
    done: bool

    def feed_event(self, sse: ServerSentEvent) -> list[ProviderEvent]: ...

    def finish(self) -> list[ProviderEvent]:
        """Events due at the end of the stream; raises when the stream was cut short."""
        ...


class SSEProvider:
    name: str
    path: ClassVar[str]  # appended to the base URL
    official_host: ClassVar[str]  # where a missing key is an error before any request

    def __init__(
        self,
        *,
        endpoint: Endpoint,
        api_key: SecretStr | str | None,
        timeouts: Timeouts | None,
        retry: RetryPolicy | None,
        transport: httpx.AsyncBaseTransport | None,
    ) -> None:
        self.base_url = endpoint.base_url.rstrip("/")
        self._key = (
            api_key if isinstance(api_key, SecretStr) or api_key is None else SecretStr(api_key)
        )
        add_secrets(self._key)  # a key handed to a provider directly is a configured secret
        self._endpoint = endpoint
        self._timeouts = timeouts or Timeouts()
        self._retry = retry or RetryPolicy()
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        host = httpx.URL(self.base_url).host if "://" in self.base_url else ""
        self._official = host == self.official_host

    def stream(self, request: ChatRequest) -> AsyncIterator[ProviderEvent]:
        return with_retries(
            lambda state: self._open(request, state), self._retry, self._timeouts.deadline
        )

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def wire_headers(self, key: str) -> dict[str, str]:
        """Auth and version headers; `key` is "" when none is configured."""
        raise NotImplementedError

    def request_body(self, request: ChatRequest) -> dict[str, Any]:
        raise NotImplementedError

    def new_parser(self) -> WireParser:
        raise NotImplementedError

    async def _open(self, request: ChatRequest, state: AttemptState) -> SSEAttempt:
        key = self._key.get_secret_value() if self._key else ""
        if not key and self._official:
            raise ProviderAuthError(
                f"No {self._endpoint.vendor} API key: set {self._endpoint.key_env}."
            )
        headers = {"Accept": "text/event-stream", **self.wire_headers(key)}
        if self._client is None:
            self._client = make_client(self._timeouts, self._transport)
        stream = await open_sse(
            self._client,
            self._endpoint,
            self.path,
            body=self.request_body(request),
            headers=headers,
            secrets=[key],
            timeouts=self._timeouts,
            state=state,
        )
        return SSEAttempt(stream, self.new_parser())


class SSEAttempt:
    """One opened request: its SSE events parsed into provider events, a read at a time."""

    def __init__(self, stream: SSEStream, parser: WireParser) -> None:
        self._stream = stream
        self._parser = parser
        self._finished = False

    async def next_events(self) -> list[ProviderEvent] | None:
        parser = self._parser
        while not self._finished:
            batch = None if parser.done else await self._stream.read()
            if batch is None:
                self._finished = True
                return parser.finish()  # raises when the stream was cut short
            events: list[ProviderEvent] = []
            for sse in batch:
                events += parser.feed_event(sse)
                if parser.done:
                    break
            if events:
                return events
        return None

    async def aclose(self) -> None:
        await self._stream.aclose()
