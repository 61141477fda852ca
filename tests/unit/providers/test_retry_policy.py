"""Retry-After parsing and the backoff bounds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tether.errors import ProviderRateLimitError
from tether.providers.retry import RetryPolicy, parse_retry_after

NOW = datetime(2026, 11, 24, 7, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "0.25"}, 0.25),
        ({"retry-after": "Tue, 24 Nov 2026 07:00:07 GMT"}, 7.0),
        ({"retry-after": "Tue, 24 Nov 2026 06:59:00 GMT"}, 0.0),
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),
        ({"retry-after": "-4"}, 0.0),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers, now=NOW) == expected


def test_retry_after_is_capped() -> None:
    policy = RetryPolicy(max_retry_after=60.0)
    assert policy.delay_for(ProviderRateLimitError("x", retry_after=3600), 1) == 60.0
    assert policy.delay_for(ProviderRateLimitError("x", retry_after=2), 1) == 2.0


def test_backoff_grows_with_jitter_and_a_ceiling() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0, jitter=0.5)
    for failures, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0), (9, 5.0)]:
        for _ in range(50):
            assert ceiling / 2 <= policy.backoff(failures) <= ceiling
    # without a Retry-After, a 429 backs off like anything else
    assert policy.delay_for(ProviderRateLimitError("x"), 1) <= 1.0
