"""The context window the provider's server really serves, asked from the server itself.

The model table knows hosted models; a local server decides its window when it starts
(llama.cpp `--ctx-size 8192`, vLLM `--max-model-len`, Ollama `num_ctx`), so a table guess
of 32k for a llama.cpp server with 8,192 tokens overfills the context and shows a wrong
gauge (issue 15, VS Code 7). Asked once per server and model, then cached for the
process; hosted APIs (api.openai.com, api.anthropic.com) are not asked: their models are
in the table.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from tether.providers import openai
from tether.settings import Settings

log = logging.getLogger(__name__)

PROBE_TIMEOUT = 2.0

# (kind, base URL, model) → what the server said; None when it answered without a window.
# A server that did not answer is asked again at the next turn.
_cache: dict[tuple[str, str, str], int | None] = {}


def _positive(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


async def _openai_compatible(client: httpx.AsyncClient, base: str, model: str,
                             headers: dict[str, str]) -> int | None:
    root = base[: -len("/v1")] if base.endswith("/v1") else base
    try:  # llama.cpp: the window of the running server
        response = await client.get(root + "/props", headers=headers)
        if response.status_code == 200:
            settings = response.json().get("default_generation_settings") or {}
            found = _positive(settings.get("n_ctx"))
            if found:
                return found
    except (ValueError, AttributeError):  # not JSON, or not llama.cpp's shape
        pass
    try:  # vLLM (`max_model_len`), LM Studio and OpenRouter (`context_length`)
        response = await client.get(base + "/models", headers=headers)
        if response.status_code == 200:
            rows = response.json().get("data") or []
            mine = [r for r in rows if isinstance(r, dict) and r.get("id") == model]
            for row in mine or (rows if len(rows) == 1 else []):
                for key in ("max_model_len", "context_length"):
                    found = _positive(row.get(key))
                    if found:
                        return found
    except (ValueError, AttributeError):
        pass
    return None


async def _ollama(client: httpx.AsyncClient, host: str, model: str) -> int | None:
    try:
        response = await client.post(host + "/api/show", json={"model": model})
        if response.status_code != 200:
            return None
        data = response.json()
    except ValueError:
        return None
    for line in str(data.get("parameters") or "").splitlines():
        key, _, value = line.partition(" ")
        if key == "num_ctx" and value.strip().isdigit():
            return int(value.strip())
    return None  # Ollama's own default depends on its version: keep the table's


async def served_context_window(settings: Settings) -> int | None:
    """The window the configured server serves for the session's model, or None."""
    kind, model = settings.provider_kind, settings.resolved_model
    if kind == "openai":
        base = settings.openai_base_url.rstrip("/")
        if openai.vendor_of(base) == "OpenAI":
            return None
    elif kind == "ollama":
        base = settings.ollama_host.rstrip("/")
    else:
        return None
    key = (kind, base, model)
    if key in _cache:
        return _cache[key]
    found: int | None = None
    try:
        async with httpx.AsyncClient(timeout=PROBE_TIMEOUT) as client:
            if kind == "openai":
                secret = settings.openai_api_key
                headers = {"Authorization": f"Bearer {secret.get_secret_value()}"} if secret else {}
                found = await _openai_compatible(client, base, model, headers)
            else:
                found = await _ollama(client, base, model)
    except httpx.HTTPError as exc:  # nothing answers: the turn itself will say so
        log.debug("no served context window from %s: %s", base, exc)
        return None
    _cache[key] = found
    return found
