"""What the two wire formats share: the key, one client, retries, the batched SSE loop.

A wire format supplies its path, auth headers, request body and a parser; this base
turns each network read into provider events, merging a read's many tiny deltas into one
(so the layers above pay per read, not per token).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from typing import Any, ClassVar, Protocol

import httpx
from pydantic import SecretStr

from tether.errors import ProviderAuthError
from tether.providers.base import ChatRequest, ProviderEvent
from tether.providers.http import Endpoint, Timeouts, make_client, post_sse
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
            lambda state: self._attempt(request, state), self._retry, self._timeouts.deadline
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

    async def _attempt(
        self, request: ChatRequest, state: AttemptState
    ) -> AsyncGenerator[ProviderEvent, None]:
        key = self._key.get_secret_value() if self._key else ""
        if not key and self._official:
            raise ProviderAuthError(
                f"No {self._endpoint.vendor} API key: set {self._endpoint.key_env}."
            )
        headers = {"Accept": "text/event-stream", **self.wire_headers(key)}
        if self._client is None:
            self._client = make_client(self._timeouts, self._transport)
        stream = post_sse(
            self._client,
            self._endpoint,
            self.path,
            body=self.request_body(request),
            headers=headers,
            secrets=[key],
            timeouts=self._timeouts,
            state=state,
        )
        parser = self.new_parser()
        async with aclosing(stream) as batches:
            async for batch in batches:
                decoded: list[ProviderEvent] = []
                for sse in batch:
                    decoded.extend(parser.feed_event(sse))
                    if parser.done:
                        break
                for event in decoded:  # the session's coalescer joins text runs
                    yield event
                if parser.done:
                    break
        for event in parser.finish():
            yield event
