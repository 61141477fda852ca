"""Can the configured provider be reached right now? One cheap GET of its model list.

The chat shows the answer when it opens, before the user types (issue 15): a wrong base
URL or a missing key is found at once, not after the first prompt failed. The provider is
named by what it is ("the OpenAI-compatible server at http://127.0.0.1:8765/v1"), and
each failure carries the fix and the setting (camelCase, as in `workspace/configuration`)
that makes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import httpx

from tether.providers import anthropic, openai
from tether.settings import Settings

CHECK_TIMEOUT = 4.0

State = Literal["ok", "unreachable", "unauthorized", "failed"]


@dataclass(frozen=True)
class ProviderCheck:
    provider: str
    model: str
    label: str  # who answers, for a sentence: "OpenAI", "the OpenAI-compatible server at …"
    state: State
    message: str  # one short sentence
    fix: str | None = None
    setting: str | None = None  # the setting that fixes it, camelCase


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


async def check_provider(settings: Settings, timeout: float = CHECK_TIMEOUT) -> ProviderCheck:
    kind, model = settings.provider_kind, settings.model_selector
    key = ""
    if kind == "openai":
        base = settings.openai_base_url.rstrip("/")
        vendor = openai.vendor_of(base)
        label = vendor if vendor == "OpenAI" else f"{vendor} at {base}"
        url, url_setting = base + "/models", "openaiBaseUrl"
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        official = vendor == "OpenAI"
    elif kind == "anthropic":
        base = settings.anthropic_base_url.rstrip("/")
        official = httpx.URL(base).host == anthropic.OFFICIAL_HOST if "://" in base else False
        label = "Anthropic" if official else f"the Anthropic-compatible server at {base}"
        url, url_setting = base + "/v1/models", "anthropicBaseUrl"
        key = settings.anthropic_api_key.get_secret_value() if settings.anthropic_api_key else ""
        headers = {"x-api-key": key, "anthropic-version": "2023-06-01"} if key else {}
    elif kind == "ollama":
        base = settings.ollama_host.rstrip("/")
        label, url, url_setting, headers, official = f"Ollama at {base}", base + "/api/tags", \
            "ollamaHost", {}, False
    else:
        return ProviderCheck(kind, model, kind, "ok", "No network needed.")

    def result(state: State, message: str, fix: str | None = None,
               setting: str | None = None) -> ProviderCheck:
        return ProviderCheck(kind, model, label, state, message, fix, setting)

    if official and not key:
        return result("unauthorized", f"No {label} API key.",
                      f"Set the {label} API key (Set API Key, or {kind.upper()}_API_KEY).",
                      f"{kind}ApiKey")
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            response = await client.get(url, headers=headers)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol):
        return result("unreachable", f"{_capital(label)} is not a usable address.",
                      "Give a full http:// or https:// URL.", url_setting)
    except httpx.HTTPError as exc:
        what = "timed out" if isinstance(exc, httpx.TimeoutException) else "refused the connection"
        fix = ("Start Ollama, or choose another provider." if kind == "ollama"
               else "Start the server, or set its address.")
        return result("unreachable", f"Cannot reach {label}: {what}.", fix, url_setting)
    status = response.status_code
    if status in (401, 403):
        return result("unauthorized", f"{_capital(label)} rejected the API key (HTTP {status}).",
                      "Set the API key (Set API Key).", f"{kind}ApiKey")
    if status >= 500:
        return result("failed", f"{_capital(label)} answered HTTP {status}.",
                      "Check the server's log; try again later.")
    return result("ok", f"{_capital(label)} answers.")
