"""The environment a `tether` subprocess runs with in tests: the scripted provider, a data
dir of its own, no user config, none of the developer's keys or Tether settings."""

from __future__ import annotations

import os
from pathlib import Path

from tether.testing.provider_server import ScriptedProviderServer


def server_environ(provider: ScriptedProviderServer, data_dir: Path, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TETHER_", "OPENAI_", "ANTHROPIC_"))}
    env.update({
        "TETHER_DATA_DIR": str(data_dir),
        "TETHER_CONFIG": str(tmp / "no-config.toml"),
        "TETHER_PROVIDER": "openai",
        "OPENAI_BASE_URL": provider.openai_base_url,
        "OPENAI_API_KEY": "test",
        "PYTHONUNBUFFERED": "1",
    })
    return env
