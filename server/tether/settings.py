"""Settings: a model with a default for every field, read from file, env and the editor.

Precedence, lowest first: defaults, the TOML file (platformdirs config dir, or
`TETHER_CONFIG`), environment variables, then explicit overrides (the editor's
`workspace/configuration` section `tether`, CLI flags). A bad value never fails start-up:
it is reported in `Settings.problems` and the default stays.
"""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic.alias_generators import to_camel

from tether import secret_env
from tether.pricing import ModelPrice
from tether.redaction import add_secrets

log = logging.getLogger(__name__)

DEFAULT_MODELS: dict[str, str] = {
    "ollama": "llama3.1",
    "openai": "gpt-4o-mini",
    "anthropic": "claude-sonnet-4-5",
    "replay": "replay",
}

ENV_VARS: dict[str, str] = {
    "TETHER_PROVIDER": "provider",
    "TETHER_MODEL": "model",
    "OPENAI_API_KEY": "openai_api_key",
    "OPENAI_BASE_URL": "openai_base_url",
    "ANTHROPIC_API_KEY": "anthropic_api_key",
    "ANTHROPIC_BASE_URL": "anthropic_base_url",
    "OLLAMA_HOST": "ollama_host",
    "TETHER_MAX_STEPS": "max_steps",
}


class Settings(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    provider: str = Field("ollama", description="openai | anthropic | ollama | replay:FILE")
    model: str = Field("", description="Model name at the provider; empty = provider default.")
    openai_api_key: SecretStr | None = Field(None, description="OpenAI(-compatible) key.")
    openai_base_url: str = Field("https://api.openai.com/v1", description="Chat Completions base.")
    anthropic_api_key: SecretStr | None = Field(None, description="Anthropic key.")
    anthropic_base_url: str = Field("https://api.anthropic.com", description="Messages API base.")
    ollama_host: str = Field("http://127.0.0.1:11434", description="Ollama server.")
    max_steps: int = Field(50, ge=1, le=1000, description="Model calls per turn at most.")
    max_tokens: int = Field(8192, ge=1, description="Output tokens per model call.")
    context_window: int | None = Field(None, ge=1024, description="Override the window table.")
    context_policy: Literal["full", "incremental", "reset"] = Field(
        "incremental",
        description="full: everything that fits; incremental: stub old tool outputs, then "
                    "summarise; reset: only pins + summary + the current exchange.",
    )
    compaction_model: str = Field(
        "", description="Model (at the same provider) that writes summaries; empty = the session's."
    )
    request_timeout: float = Field(60.0, gt=0, description="Connect/first-byte timeout (s).")
    idle_timeout: float = Field(60.0, gt=0, description="Max seconds between stream chunks.")
    request_deadline: float = Field(
        1800.0, gt=0, description="One model call in all, retries included (s)."
    )
    command_timeout: float = Field(120.0, gt=0, description="run_command timeout (s).")
    tool_timeout: float = Field(
        120.0, gt=0, description="Wall-clock limit of any other tool call (s)."
    )
    max_file_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, le=256 * 1024 * 1024,
        description="Largest file the tools and attachments read or write (bytes).",
    )
    grep_timeout: float = Field(10.0, gt=0, description="One grep's time limit (s).")
    auto_approve: bool = Field(False, description="Allow every tool without asking.")
    allowed_tools: list[str] = Field(
        default_factory=list, description="Tools that never ask (e.g. run_command)."
    )
    edit_approval: Literal["auto", "ask"] = Field(
        "auto", description="auto: agent edits land at once, reviewable afterwards; ask: each "
        "edit is proposed (with its diff) and lands only when accepted.")
    max_blob_bytes: int = Field(
        10 * 1024 * 1024, ge=0, le=256 * 1024 * 1024,
        description="Largest file whose pre-turn content is kept for undo and rewind (bytes); "
        "a bigger file is recorded as not restorable.")
    repo_map_tokens: int = Field(1024, ge=0, description="Repo map budget in the system context.")
    title_generation: bool = Field(True, description="Ask the model for a title after turn 1.")
    mcp_servers: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="MCP servers: `[mcp_servers.NAME]` with `command`/`args`/`env` or `url`.")
    prices: dict[str, ModelPrice] = Field(
        default_factory=dict,
        description='Prices per million tokens by model (`[prices."openai/gpt-4o"]`).')
    problems: list[str] = Field(default_factory=list, exclude=True)

    def model_post_init(self, context: Any, /) -> None:
        # Every secret a Settings holds is known to the redactor from the moment it exists
        # (file, environment, editor, CLI): nothing can print it before it is masked.
        add_secrets(*(v for v in self.__dict__.values() if isinstance(v, SecretStr)))

    @property
    def provider_kind(self) -> str:
        return self.provider.split(":", 1)[0]

    @property
    def resolved_model(self) -> str:
        return self.model or DEFAULT_MODELS.get(self.provider_kind, "")

    @property
    def model_selector(self) -> str:
        return f"{self.provider_kind}/{self.resolved_model}"

    def merged(self, overrides: Mapping[str, Any]) -> Settings:
        """A copy with `overrides` applied field by field; bad fields keep their value."""
        return _apply(self, overrides, source="override")


# Settings a remote (TCP/WebSocket) client may not set: they could send the user's keys
# to another server, run tools without asking, or read a file of the server's machine.
# Remote servers take them from their own config file and environment only. One line
# per setting; `remote_unsafe` also catches any `*_key`, `*_url`, `*_host`, `*_command`.
REMOTE_UNSAFE: frozenset[str] = frozenset({
    "openai_api_key",
    "openai_base_url",
    "anthropic_api_key",
    "anthropic_base_url",
    "ollama_host",
    "auto_approve",
    "allowed_tools",
    "mcp_servers",  # commands the server would start
})
_UNSAFE_SUFFIXES = ("_key", "_keys", "_url", "_host", "_token", "_command", "_commands")


def remote_unsafe(name: str, value: Any) -> bool:
    """True for a setting (field name) a remote client's value must not change."""
    if name in REMOTE_UNSAFE or name.endswith(_UNSAFE_SUFFIXES):
        return True
    # replay:FILE reads a file on the server; the other providers use the server's URLs
    return name == "provider" and str(value).strip().lower().startswith("replay")


def remote_safe(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """`values` without what a remote client may not set, and the keys left out."""
    kept: dict[str, Any] = {}
    dropped: list[str] = []
    for key, value in values.items():
        name = _field_name(key) or key
        if remote_unsafe(name, value):
            dropped.append(key)
        else:
            kept[key] = value
    return kept, dropped


def config_path() -> Path:
    env = os.environ.get("TETHER_CONFIG")
    if env:
        return Path(env)
    return Path(platformdirs.user_config_dir("tether")) / "config.toml"


def load_settings(overrides: Mapping[str, Any] | None = None) -> Settings:
    settings = Settings()
    path = config_path()
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            settings.problems.append(f"{path}: cannot read ({exc}); using defaults")
        else:
            settings = _apply(settings, data, source=str(path))
    env = {field: value for var, field in ENV_VARS.items() if (value := secret_env.getenv(var))}
    settings = _apply(settings, env, source="environment")
    if overrides:
        settings = _apply(settings, overrides, source="override")
    for problem in settings.problems:
        log.warning("settings: %s", problem)
    return settings


def _apply(base: Settings, values: Mapping[str, Any], *, source: str) -> Settings:
    """Validate each value on its own, so one bad field does not discard the others."""
    current = base.model_dump(exclude={"problems"})
    problems = list(base.problems)
    for key, value in values.items():
        name = _field_name(key)
        if name is None:
            if key not in ("problems",):
                problems.append(f"{source}: unknown setting {key!r} ignored")
            continue
        if value is None:
            continue
        trial = {**current, name: value}
        try:
            Settings.model_validate(trial)
        except ValidationError as exc:
            msg = exc.errors()[0]["msg"]
            problems.append(f"{source}: {key} = {_redact(name, value)!r} ignored ({msg})")
            continue
        current = trial
    result = Settings.model_validate(current)
    result.problems = problems
    return result


def _field_name(key: str) -> str | None:
    if key in Settings.model_fields and key != "problems":
        return key
    for name, field in Settings.model_fields.items():
        if field.alias == key and name != "problems":
            return name
    return None


def _redact(name: str, value: Any) -> Any:
    return "***" if "key" in name else value
