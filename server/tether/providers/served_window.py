"""The context window the provider's server really serves, asked from the server itself.

The model table knows hosted models; a local server decides its window when it starts
(llama.cpp `--ctx-size 8192`, vLLM `--max-model-len`, Ollama `num_ctx`), so a table guess
of 32k for a llama.cpp server with 8,192 tokens overfills the context and shows a wrong
gauge (issue 15, VS Code 7). One probe serves both who need the window: the session's
budget (`SessionManager._set_window`, which keeps what it learns per server and model) and
the model list the gauge reads. Where each server says it:

- llama.cpp: `GET /props`, `default_generation_settings.n_ctx`;
- vLLM, LM Studio, OpenRouter: `GET /v1/models`, the model's `max_model_len` or
  `context_length`;
- Ollama: `POST /api/show`, `num_ctx` in its parameters, else the model's
  `<arch>.context_length`.

api.openai.com is not asked (its models are in the table). Every failure means "unknown":
the table's guess stands and the turn itself reports an unreachable server.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx

from tether.providers import openai
from tether.providers.http import ssl_context
from tether.settings import Settings

log = logging.getLogger(__name__)

PROBE_TIMEOUT = 2.0
_NUM_CTX = re.compile(r"\bnum_ctx\s+(\d+)")
_MODEL_LIMITS = ("max_model_len", "context_length")  # vLLM; LM Studio and OpenRouter


def _positive(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def llama_cpp_window(body: Any) -> int | None:
    """n_ctx from a llama.cpp `/props` answer."""
    if not isinstance(body, dict):
        return None
    settings = body.get("default_generation_settings")
    value = settings.get("n_ctx") if isinstance(settings, dict) else None
    return _positive(body.get("n_ctx") if value is None else value)


def models_window(body: Any, model: str) -> int | None:
    """The model's limit from a `/v1/models` answer; a single listed model counts as ours
    (servers started with one model name it after its file, not what the user typed)."""
    rows = body.get("data") if isinstance(body, dict) else None
    if not isinstance(rows, list):
        return None
    mine = [r for r in rows if isinstance(r, dict) and r.get("id") == model]
    for row in mine or (rows if len(rows) == 1 and isinstance(rows[0], dict) else []):
        for key in _MODEL_LIMITS:
            if found := _positive(row.get(key)):
                return found
    return None


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
            if key.endswith(".context_length") and (found := _positive(value)):
                return found
    return None


def _json_of(response: httpx.Response) -> Any:
    if response.status_code != 200:
        return None
    try:
        return response.json()
    except ValueError:  # not JSON: not the server we took it for
        return None


async def _openai_compatible(client: httpx.AsyncClient, base: str, model: str,
                             headers: dict[str, str]) -> int | None:
    root = base[: -len("/v1")] if base.endswith("/v1") else base
    found = llama_cpp_window(_json_of(await client.get(root + "/props", headers=headers)))
    if found:
        return found
    return models_window(_json_of(await client.get(base + "/models", headers=headers)),
                         model)


async def _ollama(client: httpx.AsyncClient, host: str, model: str) -> int | None:
    response = await client.post(host + "/api/show", json={"model": model})
    return ollama_window(_json_of(response))


def _auth(settings: Settings) -> dict[str, str]:
    secret = settings.openai_api_key  # vLLM started with --api-key asks for it
    return {"Authorization": f"Bearer {secret.get_secret_value()}"} if secret else {}


async def served_context_window(settings: Settings, *,
                                transport: httpx.AsyncBaseTransport | None = None) -> int | None:
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
    try:
        # the providers' TLS context: the CA bundle is loaded once per process, not per probe
        async with httpx.AsyncClient(timeout=PROBE_TIMEOUT, transport=transport,
                                     verify=ssl_context()) as client:
            if kind == "openai":
                return await _openai_compatible(client, base, model, _auth(settings))
            return await _ollama(client, base, model)
    except httpx.HTTPError as exc:  # nothing answers: the turn itself will say so
        log.debug("no served context window from %s: %s", base, exc)
        return None
