"""Which workspaces' MCP servers the user trusted, remembered on disk.

A workspace's `.tether/config.toml` is part of a repository anyone may have written: its
servers are commands that would run on the user's machine. They start only after the user
allowed them once, through the ordinary permission request; "allow always" is stored
per workspace folder *and* per hash of its server configuration, so a changed file asks
again. "Allow once" and "reject" hold for this process only.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from pathlib import Path

from tether.store.paths import data_root

log = logging.getLogger(__name__)

TRUST_FILE = "mcp-trust.json"


class TrustStore:
    """`{folder: [config hash, ...]}` in the data directory; unreadable = nothing trusted."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self._path or data_root() / TRUST_FILE

    def trusted(self, folder: Path, config_hash: str) -> bool:
        return config_hash in self._read().get(str(folder), [])

    def remember(self, folder: Path, config_hash: str) -> None:
        with self._lock:
            data = self._read()
            hashes = data.setdefault(str(folder), [])
            if config_hash not in hashes:
                hashes.append(config_hash)
            self._write(data)

    def _read(self) -> dict[str, list[str]]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("MCP trust file %s unreadable (%s): no workspace is trusted", self.path,
                        exc)
            return {}
        if not isinstance(raw, dict):
            return {}
        return {str(k): [str(h) for h in v] for k, v in raw.items() if isinstance(v, list)}

    def _write(self, data: dict[str, list[str]]) -> None:
        path = self.path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".mcp-trust.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=1, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
