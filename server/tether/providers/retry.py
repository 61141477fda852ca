"""Retries of failed requests and restarts of dropped streams, shared by every provider.

Two budgets, because the failures differ: a request that fails before its stream starts
(429, 5xx, connection refused, timeout) is retried up to `max_attempts` tries in all; a
stream that starts and then breaks off (dropped connection, missing end marker) is
restarted from scratch up to `max_restarts` times. A stream that goes silent for the idle
timeout is not retried at all (the error says so): a stalled server mostly stalls again,
and each retry would cost another idle timeout of nothing. Over both budgets, one
`deadline` bounds the whole call: attempts read up to it, and a back-off that would end
past it is not started. Before every new try a `RetryNotice` is yielded, so the session
can throw away the partial output of the abandoned one. Delays are injectable
(`RetryPolicy`) so tests run in milliseconds.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol

from tether.errors import (
    ProviderError,
    ProviderRateLimitError,
    ProviderResponseError,
    ProviderStreamError,
    ProviderTimeoutError,
    ProviderUnavailableError,
)
from tether.providers.base import ProviderEvent, RetryNotice

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3  # tries of a request that fails before streaming, in total
    max_restarts: int = 5  # restarts of a stream that broke off after it started
    base_delay: float = 0.5  # first backoff delay, doubled per failure
    max_delay: float = 8.0  # backoff ceiling
    max_retry_after: float = 60.0  # a server's Retry-After is honoured up to this
    jitter: float = 0.5  # up to this fraction of a backoff delay is randomly shaved off

    def backoff(self, failures: int) -> float:
        delay = min(self.max_delay, self.base_delay * 2.0 ** max(0, failures - 1))
        return delay * (1.0 - self.jitter * random.random())

    def delay_for(self, exc: ProviderError, failures: int) -> float:
        if isinstance(exc, ProviderRateLimitError) and exc.retry_after is not None:
            return min(max(float(exc.retry_after), 0.0), self.max_retry_after)
        return self.backoff(failures)


@dataclass
class AttemptState:
    """`started` is set by the transport once a 2xx response began: later failures are
    stream drops. `deadline` (event-loop time) is when the whole call must be over."""

    started: bool = False
    deadline: float | None = None


class Attempt(Protocol):
    """One opened try of a request: its events a network read at a time."""

    async def next_events(self) -> list[ProviderEvent] | None:
        """The events of the next read (maybe none); None once the attempt is over."""
        ...

    async def aclose(self) -> None: ...


AttemptFactory = Callable[[AttemptState], Awaitable[Attempt]]


async def with_retries(
    open_attempt: AttemptFactory, policy: RetryPolicy, deadline: float | None = None
) -> AsyncIterator[ProviderEvent]:
    """Play attempts until one completes; raise the last error once a budget is spent.

    `deadline` is the seconds the whole call may take, retries and back-off included.
    """
    budget = RetryBudget(policy, deadline)
    while True:
        state = AttemptState(deadline=budget.ends_at)
        try:
            attempt = await open_attempt(state)
            try:
                while (events := await attempt.next_events()) is not None:
                    for event in events:
                        yield event
            finally:
                await attempt.aclose()
            return
        except ProviderError as exc:
            notice = budget.next_try(exc, restart=state.started)
        yield notice
        await asyncio.sleep(notice.delay_seconds)


class RetryBudget:
    """Counts the failed tries and restarts of one call and decides the next one."""

    def __init__(self, policy: RetryPolicy, deadline: float | None) -> None:
        self._policy = policy
        self._loop = asyncio.get_running_loop()
        self._deadline = deadline
        self.ends_at = None if deadline is None else self._loop.time() + deadline
        self._failures = 0
        self._restarts = 0
        self._attempt = 1

    def next_try(self, exc: ProviderError, *, restart: bool) -> RetryNotice:
        """The notice announcing the next try; raises `exc` when no try is left."""
        if not exc.retryable:
            raise exc
        delay = self._restart_delay(exc) if restart else self._failure_delay(exc)
        if self.ends_at is not None and self._loop.time() + delay >= self.ends_at:
            raise _gave_up(
                exc, f"not retried: the request_deadline of {self._deadline:g} s would pass"
            ) from exc.__cause__
        self._attempt += 1
        log.warning(
            "provider: %s Retrying (attempt %d) in %.2f s.", exc.message, self._attempt, delay
        )
        return RetryNotice(self._attempt, retry_reason(exc, restart=restart), delay)

    def _restart_delay(self, exc: ProviderError) -> float:
        self._restarts += 1
        if self._restarts > self._policy.max_restarts:
            raise _gave_up(
                exc, f"the stream was restarted {self._policy.max_restarts} times"
            ) from exc.__cause__
        return self._policy.backoff(self._restarts)

    def _failure_delay(self, exc: ProviderError) -> float:
        self._failures += 1
        if self._failures >= self._policy.max_attempts:
            raise _gave_up(exc, f"gave up after {self._failures} attempts") from exc.__cause__
        return self._policy.delay_for(exc, self._failures)


def retry_reason(exc: ProviderError, *, restart: bool) -> str:
    """A short label for the `stream_retry` event: why this attempt was abandoned."""
    if isinstance(exc, ProviderRateLimitError):
        return "rate limited (HTTP 429)"
    if isinstance(exc, ProviderResponseError):
        return f"server error (HTTP {exc.status})"
    if isinstance(exc, ProviderTimeoutError):
        return "stream stalled" if restart else "timed out"
    if isinstance(exc, ProviderStreamError):
        return "stream dropped"
    if isinstance(exc, ProviderUnavailableError):
        return "connection failed"
    return type(exc).__name__


def keep_message(exc: ProviderError) -> ProviderError:
    """Mark an error whose message is a complete instruction: giving up adds nothing."""
    exc._keep_message = True  # type: ignore[attr-defined]
    return exc


def _gave_up(exc: ProviderError, how: str) -> ProviderError:
    exc.data = {**exc.data, "gaveUp": how}
    if getattr(exc, "_keep_message", False):
        return exc
    exc.message = f"{exc.message.rstrip('.')} ({how})."
    exc.args = (exc.message,)
    return exc


def parse_retry_after(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Seconds to wait from `retry-after-ms`, or `retry-after` as seconds or an HTTP date."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
