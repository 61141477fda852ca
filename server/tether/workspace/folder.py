"""A workspace folder and the one rule about paths: nothing outside it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

from tether.errors import PathOutsideWorkspaceError


def path_to_uri(path: Path) -> str:
    return "file://" + quote(str(path), safe="/:")


def uri_to_path(uri: str) -> Path:
    parsed = urlparse(uri)
    if parsed.scheme not in ("file", ""):
        raise ValueError(f"not a file URI: {uri}")
    return Path(unquote(parsed.path))


def canonical(path: Path | str) -> Path:
    """Absolute, symlinks resolved, `..` folded; the form stored and compared."""
    return Path(os.path.realpath(os.path.expanduser(str(path))))


@dataclass(frozen=True)
class WorkspaceFolder:
    root: Path  # canonical

    @classmethod
    def at(cls, path: Path | str) -> WorkspaceFolder:
        return cls(canonical(path))

    @property
    def uri(self) -> str:
        return path_to_uri(self.root)

    @property
    def name(self) -> str:
        return self.root.name or str(self.root)

    def resolve(self, path: str | Path) -> Path:
        """The canonical path of `path` (relative to the root, or absolute) inside the folder.

        Symlinks are resolved first, so a link pointing out of the folder is refused too.
        The result is opened with `safe_open`, which follows no symlink on the way: a
        folder swapped for a link after this check makes the open fail, not escape.
        """
        raw = Path(os.path.expanduser(str(path)))
        return self._checked(canonical(raw if raw.is_absolute() else self.root / raw), path)

    def inside(self, path: Path) -> Path:
        """The canonical form of absolute `path`; PathOutsideWorkspaceError outside the folder.

        What an editor bridge asks of every path a tool hands it.
        """
        return self._checked(canonical(path), path)

    def _checked(self, resolved: Path, given: str | Path) -> Path:
        if not self.contains(resolved):
            raise PathOutsideWorkspaceError(
                f"{given} is outside the workspace folder {self.root}",
                data={"path": str(given), "workspace": str(self.root)},
            )
        return resolved

    def contains(self, path: Path) -> bool:
        """True when canonical `path` is the root or below it."""
        return path == self.root or self.root in path.parents

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix() if path != self.root else "."
