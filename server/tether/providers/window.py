"""Asking a local model server how large its context window really is.

Local servers run a model with whatever context they were started with, which the
model table cannot know: llama.cpp reports it at `GET /props`
(`default_generation_settings.n_ctx`), Ollama at `POST /api/show`
(`model_info["<arch>.context_length"]`, or `num_ctx` in its parameters). Hosted APIs
(api.openai.com, api.anthropic.com) are not asked. Every failure means "unknown".
"""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx

from tether.settings import Settings

log = logging.getLogger(__name__)

DISCOVERY_TIMEOUT = 2.0
HOSTED = ("api.openai.com", "api.anthropic.com", "openrouter.ai")
_NUM_CTX = re.compile(r"\bnum_ctx\s+(\d+)")


def llama_cpp_window(body: Any) -> int | None:
    """n_ctx from a llama.cpp `/props` answer."""
    if not isinstance(body, dict):
        return None
    settings = body.get("default_generation_settings")
    value = settings.get("n_ctx") if isinstance(settings, dict) else None
    if value is None:
        value = body.get("n_ctx")
    return value if isinstance(value, int) and value > 0 else None


def ollama_window(body: Any) -> int | None:
    """The context length from an Ollama `/api/show` answer (num_ctx wins when set)."""
    if not isinstance(body, dict):
        return None
    parameters = body.get("parameters")
    if isinstance(parameters, str) and (match := _NUM_CTX.search(parameters)):
        return int(match.group(1))
    info = body.get("model_info")
    if isinstance(info, dict):
        for key, value in info.items():
            if key.endswith(".context_length") and isinstance(value, int) and value > 0:
                return value
    return None


def _root(base_url: str) -> str:
    base = base_url.rstrip("/")
    return base[: -len("/v1")] if base.endswith("/v1") else base


async def discover_context_window(settings: Settings) -> int | None:
    """The window the configured server reports for the model, or None."""
    kind = settings.provider_kind
    try:
        async with httpx.AsyncClient(timeout=DISCOVERY_TIMEOUT) as client:
            if kind == "ollama":
                response = await client.post(f"{settings.ollama_host.rstrip('/')}/api/show",
                                             json={"model": settings.resolved_model})
                return ollama_window(response.json()) if response.is_success else None
            if kind == "openai":
                root = _root(settings.openai_base_url)
                if any(host in root for host in HOSTED):
                    return None
                response = await client.get(f"{root}/props")
                return llama_cpp_window(response.json()) if response.is_success else None
    except (httpx.HTTPError, ValueError) as exc:
        log.debug("context window discovery failed: %s", exc)
    return None
