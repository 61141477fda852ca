"""Settings → a provider; what models we know of and how big their windows are.

No network here: `make_provider` only builds clients (a missing key or an unreachable
server is reported by the first request, as one plain sentence), and the model list is
the configured model plus each reachable provider's default. What a local server really
serves as its window is asked in `served_window.py`.
"""

from __future__ import annotations

from pathlib import Path

from tether.errors import ConfigError
from tether.protocol.methods import ModelInfo, ModelsListResult
from tether.providers.anthropic import AnthropicProvider
from tether.providers.base import Provider
from tether.providers.http import Endpoint, Timeouts
from tether.providers.openai import OpenAIProvider
from tether.providers.replay import ReplayProvider
from tether.providers.retry import RetryPolicy
from tether.settings import DEFAULT_MODELS, Settings

PROVIDER_KINDS = ("ollama", "openai", "anthropic", "replay")

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
        return OpenAIProvider(base_url=settings.openai_base_url,
                              api_key=settings.openai_api_key, timeouts=timeouts, retry=retry)
    if kind == "anthropic":
        return AnthropicProvider(base_url=settings.anthropic_base_url,
                                 api_key=settings.anthropic_api_key, timeouts=timeouts,
                                 retry=retry)
    if kind == "ollama":
        host = settings.ollama_host.rstrip("/")
        endpoint = Endpoint(
            "Ollama", f"{host}/v1", key_env=None, unavailable_message=ollama_unavailable(host)
        )
        return OpenAIProvider(
            base_url=f"{host}/v1", name="ollama", endpoint=endpoint, timeouts=timeouts, retry=retry
        )
    if kind == "replay":
        return ReplayProvider(_transcript(settings, base_dir))
    raise ConfigError(
        f"Unknown provider {settings.provider!r}: use openai, anthropic, ollama or replay:FILE."
    )


def _transcript(settings: Settings, base_dir: Path | None) -> Path:
    """The file of `replay:FILE`, relative to `base_dir` (else the working directory)."""
    _, _, file = settings.provider.partition(":")
    if not file.strip():
        raise ConfigError(
            "The replay provider needs a transcript file: use --provider replay:FILE.json."
        )
    path = Path(file.strip()).expanduser()
    return path if path.is_absolute() else (base_dir or Path.cwd()) / path


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


def list_models(settings: Settings) -> ModelsListResult:
    """The configured model first (with the window the session budgets for), then each
    provider's default model that is reachable as set up: with its key, or Ollama's."""
    first = _info(settings.provider_kind, settings.resolved_model,
                  effective_context_window(settings))
    models = [first]
    for kind, name in DEFAULT_MODELS.items():
        if _reachable(kind, settings) and f"{kind}/{name}" != first.id:
            models.append(_info(kind, name, context_window(name)))
    return ModelsListResult(models=models, default=settings.model_selector)


def _reachable(kind: str, settings: Settings) -> bool:
    if kind == "openai":
        return settings.openai_api_key is not None
    if kind == "anthropic":
        return settings.anthropic_api_key is not None
    return kind == "ollama"  # a local server needs no key; replay only when configured


def _info(kind: str, name: str, window: int) -> ModelInfo:
    return ModelInfo(id=f"{kind}/{name}", provider=kind, name=name, context_window=window)
