"""The JSON object a streamed SSE event carries, decoded on the per-token hot path.

pydantic-core's parser (already a dependency, through pydantic) decodes a small chunk
three to four times faster than the standard library's; what it refuses (a lone
surrogate escape, which `json` lets through) falls back to `json`, so the result is what
`json.loads` gives, only sooner.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic_core import from_json

from tether.errors import ProviderStreamError
from tether.providers.http import clip, redact


def event_object(data: str, vendor: str, what: str) -> dict[str, Any] | None:
    """The event's JSON object; None for JSON that is not an object.

    Raises ProviderStreamError for data that is not JSON, quoting it clipped and
    redacted (a broken gateway may echo the request's key).
    """
    try:
        value = from_json(data, cache_strings="keys")
    except ValueError:
        try:
            value = json.loads(data)
        except json.JSONDecodeError:
            raise ProviderStreamError(
                f"{vendor} sent a garbled {what}: {clip(redact(data), 80)!r}"
            ) from None
    return value if isinstance(value, dict) else None
