"""Can the configured provider be reached right now? One cheap GET of its model list.

The chat shows the answer when it opens, before the user types (issue 15): a wrong base
URL or a missing key is found at once, not after the first prompt failed. The provider is
named by what it is ("the OpenAI-compatible server at http://127.0.0.1:8765/v1"), and
each failure carries the fix and the setting (camelCase, as in `workspace/configuration`)
that makes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import httpx
from pydantic import SecretStr

from tether.providers import anthropic, openai
from tether.providers.http import ssl_context
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


@dataclass(frozen=True)
class _Target:
    """What to ask and whom: the model-list URL, its headers, and how to name it."""

    label: str
    url: str
    url_setting: str
    headers: dict[str, str]
    official: bool  # the vendor's own host: a missing key is an error before any request
    key: str


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value else ""


def _openai_target(settings: Settings) -> _Target:
    base = settings.openai_base_url.rstrip("/")
    vendor = openai.vendor_of(base)
    key = _secret(settings.openai_api_key)
    return _Target(
        label=vendor if vendor == "OpenAI" else f"{vendor} at {base}",
        url=base + "/models", url_setting="openaiBaseUrl",
        headers={"Authorization": f"Bearer {key}"} if key else {},
        official=vendor == "OpenAI", key=key,
    )


def _anthropic_target(settings: Settings) -> _Target:
    base = settings.anthropic_base_url.rstrip("/")
    official = httpx.URL(base).host == anthropic.OFFICIAL_HOST if "://" in base else False
    key = _secret(settings.anthropic_api_key)
    return _Target(
        label="Anthropic" if official else f"the Anthropic-compatible server at {base}",
        url=base + "/v1/models", url_setting="anthropicBaseUrl",
        headers={"x-api-key": key, "anthropic-version": anthropic.API_VERSION} if key else {},
        official=official, key=key,
    )


def _ollama_target(settings: Settings) -> _Target:
    base = settings.ollama_host.rstrip("/")
    return _Target(f"Ollama at {base}", base + "/api/tags", "ollamaHost", {}, False, "")


_TARGETS: dict[str, Callable[[Settings], _Target]] = {
    "openai": _openai_target,
    "anthropic": _anthropic_target,
    "ollama": _ollama_target,
}


async def check_provider(settings: Settings, timeout: float = CHECK_TIMEOUT) -> ProviderCheck:
    kind, model = settings.provider_kind, settings.model_selector
    target_of = _TARGETS.get(kind)
    if target_of is None:
        return ProviderCheck(kind, model, kind, "ok", "No network needed.")
    target = target_of(settings)

    def result(state: State, message: str, fix: str | None = None,
               setting: str | None = None) -> ProviderCheck:
        return ProviderCheck(kind, model, target.label, state, message, fix, setting)

    if target.official and not target.key:
        return result("unauthorized", f"No {target.label} API key.",
                      f"Set the {target.label} API key (Set API Key, or "
                      f"{kind.upper()}_API_KEY).", f"{kind}ApiKey")
    label = _capital(target.label)
    try:
        async with httpx.AsyncClient(timeout=timeout, verify=ssl_context()) as client:
            response = await client.get(target.url, headers=target.headers)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol):
        return result("unreachable", f"{label} is not a usable address.",
                      "Give a full http:// or https:// URL.", target.url_setting)
    except httpx.HTTPError as exc:
        what = "timed out" if isinstance(exc, httpx.TimeoutException) else "refused the connection"
        fix = ("Start Ollama, or choose another provider." if kind == "ollama"
               else "Start the server, or set its address.")
        return result("unreachable", f"Cannot reach {target.label}: {what}.", fix,
                      target.url_setting)
    status = response.status_code
    if status in (401, 403):
        return result("unauthorized", f"{label} rejected the API key (HTTP {status}).",
                      "Set the API key (Set API Key).", f"{kind}ApiKey")
    if status >= 500:
        return result("failed", f"{label} answered HTTP {status}.",
                      "Check the server's log; try again later.")
    return result("ok", f"{label} answers.")
