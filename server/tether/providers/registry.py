"""Settings → a provider; what models we know of and how big their windows are.

No network here: `make_provider` only builds clients (a missing key or an unreachable
server is reported by the first request, as one plain sentence), and the model list is
the configured model plus the ones we know for each provider that is set up.
"""

from __future__ import annotations

from pathlib import Path

from tether.errors import ConfigError
from tether.protocol.methods import ModelInfo
from tether.providers.anthropic import AnthropicProvider
from tether.providers.base import Provider
from tether.providers.http import Endpoint, Timeouts
from tether.providers.openai import OpenAIProvider
from tether.providers.replay import ReplayProvider
from tether.providers.retry import RetryPolicy
from tether.settings import DEFAULT_MODELS, Settings

PROVIDER_KINDS = ("ollama", "openai", "anthropic", "replay")

KNOWN_MODELS: dict[str, list[str]] = {
    "openai": ["gpt-4o-mini", "gpt-4o", "gpt-4.1", "gpt-4.1-mini", "o4-mini", "gpt-5"],
    "anthropic": ["claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5"],
    "ollama": ["llama3.1", "qwen2.5-coder", "llama3.2", "mistral"],
}

DEFAULT_CONTEXT_WINDOW = 32_768

# Longest matching prefix wins; names are compared lower-case without `provider/` or `:tag`.
CONTEXT_WINDOWS: dict[str, int] = {
    "gpt-5": 400_000,
    "gpt-4.1": 1_047_576,
    "gpt-4o": 128_000,
    "gpt-4-turbo": 128_000,
    "gpt-4": 8_192,
    "gpt-3.5-turbo": 16_385,
    "o1": 200_000,
    "o3": 200_000,
    "o4": 200_000,
    "claude": 200_000,
    "llama3.1": 128_000,
    "llama3.2": 128_000,
    "llama3.3": 128_000,
    "llama3": 8_192,
    "qwen2.5-coder": 32_768,
    "qwen2.5": 32_768,
    "qwen3": 40_960,
    "deepseek-coder-v2": 163_840,
    "deepseek": 128_000,
    "mistral-large": 128_000,
    "mistral-nemo": 128_000,
    "mistral": 32_768,
    "codestral": 32_768,
    "gemma3": 128_000,
    "gemma2": 8_192,
    "phi4": 16_384,
    "phi3": 128_000,
    "codellama": 16_384,
    "gpt-oss": 131_072,
    "replay": 128_000,
}


def ollama_unavailable(host: str) -> str:
    return (
        f"No model provider reachable: Ollama is not running at {host}. Start Ollama, or set "
        "the `provider` setting to openai or anthropic and give its API key (in an editor: "
        "tether.provider and Set API Key; elsewhere TETHER_PROVIDER and OPENAI_API_KEY or "
        "ANTHROPIC_API_KEY)."
    )


def make_provider(
    settings: Settings,
    *,
    retry: RetryPolicy | None = None,
    base_dir: Path | None = None,
) -> Provider:
    """The provider `settings.provider` names; ConfigError for an unknown kind."""
    kind = settings.provider_kind
    timeouts = Timeouts(request=settings.request_timeout, idle=settings.idle_timeout,
                        deadline=settings.request_deadline)
    if kind == "openai":
        return OpenAIProvider(
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key,
            timeouts=timeouts,
            retry=retry,
        )
    if kind == "ollama":
        host = settings.ollama_host.rstrip("/")
        endpoint = Endpoint(
            "Ollama", f"{host}/v1", key_env=None, unavailable_message=ollama_unavailable(host)
        )
        return OpenAIProvider(
            base_url=f"{host}/v1", name="ollama", endpoint=endpoint, timeouts=timeouts, retry=retry
        )
    if kind == "anthropic":
        return AnthropicProvider(
            base_url=settings.anthropic_base_url,
            api_key=settings.anthropic_api_key,
            timeouts=timeouts,
            retry=retry,
        )
    if kind == "replay":
        _, _, file = settings.provider.partition(":")
        if not file.strip():
            raise ConfigError(
                "The replay provider needs a transcript file: use --provider replay:FILE.json."
            )
        path = Path(file.strip()).expanduser()
        if not path.is_absolute():
            path = (base_dir or Path.cwd()) / path
        return ReplayProvider(path)
    raise ConfigError(
        f"Unknown provider {settings.provider!r}: use openai, anthropic, ollama or replay:FILE."
    )


def context_window(model: str) -> int:
    """The model's context window in tokens, from the table; 32k when unknown."""
    name = model.strip().lower()
    name = name.rsplit("/", 1)[-1]  # provider/model, or OpenRouter's vendor/model
    name = name.split(":", 1)[0]  # Ollama tags: llama3.1:8b
    best = ""
    for prefix in CONTEXT_WINDOWS:
        if name.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return CONTEXT_WINDOWS[best] if best else DEFAULT_CONTEXT_WINDOW


def effective_context_window(settings: Settings) -> int:
    """The window the session should budget for: the override, else the table."""
    return settings.context_window or context_window(settings.resolved_model)


def list_models(settings: Settings) -> list[ModelInfo]:
    """The configured model first, then known models of every provider that is set up."""
    configured = settings.provider_kind
    usable = [configured] if configured in KNOWN_MODELS else []
    if settings.openai_api_key is not None and "openai" not in usable:
        usable.append("openai")
    if settings.anthropic_api_key is not None and "anthropic" not in usable:
        usable.append("anthropic")
    models = [_info(configured, settings.resolved_model or DEFAULT_MODELS.get(configured, ""))]
    if settings.context_window:
        models[0] = models[0].model_copy(update={"context_window": settings.context_window})
    seen = {models[0].id}
    for kind in usable:
        for name in KNOWN_MODELS[kind]:
            info = _info(kind, name)
            if info.id not in seen:
                seen.add(info.id)
                models.append(info)
    return models


def _info(kind: str, name: str) -> ModelInfo:
    return ModelInfo(
        id=f"{kind}/{name}", provider=kind, name=name, context_window=context_window(name)
    )
