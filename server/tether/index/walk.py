"""The gitignore-aware walk: which files of a workspace folder the index holds.

Rules, lowest precedence first: the global excludes file (`git config core.excludesFile`,
else `$XDG_CONFIG_HOME/git/ignore`), `.git/info/exclude`, then per directory `.gitignore`
and `.ignore` (deeper files win; within a file the last matching pattern wins, as in git).
VCS directories are never entered. Directory symlinks are followed only when they stay
inside the folder and do not lead back to a directory already on the way (loops).
"""

from __future__ import annotations

import logging
import os
import stat
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from tether.index.scan import SPECIAL, VANISHED, FileResult, scan_file
from tether.workspace.folder import WorkspaceFolder, canonical
from tether.workspace.safe_open import NotRegularFileError, regular_opener

log = logging.getLogger(__name__)

VCS_DIRS = frozenset({".git", ".hg", ".svn", ".jj"})
IGNORE_FILES = (".gitignore", ".ignore")

SYMLINK_LOOP = "symlink_loop"
SYMLINK_DUPLICATE = "symlink_duplicate"
OUTSIDE = "outside_workspace"
BROKEN_LINK = "broken_symlink"
UNREADABLE_DIR = "unreadable_dir"

IGNORE_FILE_MAX_BYTES = 1024 * 1024

Spec = tuple[str, pathspec.GitIgnoreSpec]  # (base dir relative to the root, "" or "a/b/")


@dataclass
class WalkResult:
    files: list[tuple[str, int, int]] = field(default_factory=list)  # (path, size, mtime_ns)
    skipped: Counter[str] = field(default_factory=Counter)


def global_excludes_file(root: Path) -> Path | None:
    """Where git keeps the user's global ignore patterns, if anywhere."""
    try:
        out = subprocess.run(
            ["git", "config", "--get", "core.excludesFile"],
            cwd=root, capture_output=True, text=True, timeout=5, check=False,
        )
        configured = out.stdout.strip()
        if configured:
            return Path(os.path.expanduser(configured))
    except (OSError, subprocess.SubprocessError):
        pass
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    candidate = Path(xdg) / "git" / "ignore"
    return candidate if candidate.is_file() else None


def _read_spec(path: Path) -> pathspec.GitIgnoreSpec | None:
    try:  # a FIFO named .gitignore must not hang the walk: regular files only
        with open(path, "rb", opener=regular_opener) as handle:
            lines = handle.read(IGNORE_FILE_MAX_BYTES).decode("utf-8", "replace").splitlines()
    except (OSError, NotRegularFileError):
        return None
    try:
        spec = pathspec.GitIgnoreSpec.from_lines(lines)
    except Exception as exc:  # a malformed pattern file must not stop the walk
        log.warning("ignoring unreadable ignore file %s: %s", path, exc)
        return None
    return spec if spec.patterns else None


class IgnoreRules:
    """Answers "is this path ignored?" for the walk and for single changed paths."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._dir_specs: dict[str, list[Spec]] = {}
        self.base: list[Spec] = []
        for source in (global_excludes_file(root), root / ".git" / "info" / "exclude"):
            if source is not None:
                spec = _read_spec(source)
                if spec is not None:
                    self.base.append(("", spec))

    def specs_in(self, rel_dir: str, present: list[str] | None = None) -> list[Spec]:
        """The specs defined by the ignore files in one directory ("" or "a/b/").

        `present`: the ignore files the caller saw in a listing (saves failed opens).
        """
        cached = self._dir_specs.get(rel_dir)
        if cached is None:
            cached = []
            directory = self.root / rel_dir
            for name in IGNORE_FILES if present is None else present:
                spec = _read_spec(directory / name)
                if spec is not None:
                    cached.append((rel_dir, spec))
            self._dir_specs[rel_dir] = cached
        return cached

    @staticmethod
    def matches(chain: list[Spec], rel: str, is_dir: bool) -> bool:
        candidate = rel + "/" if is_dir else rel
        for base, spec in reversed(chain):
            result = spec.check_file(candidate[len(base):])
            if result.include is not None:
                return bool(result.include)
        return False

    def is_ignored(self, rel: str, is_dir: bool = False) -> bool:
        """For one path: ignored itself, inside an ignored directory, or in a VCS dir."""
        parts = rel.split("/")
        if any(part in VCS_DIRS for part in parts):
            return True
        chain = list(self.base)
        prefix = ""
        for i, part in enumerate(parts):
            chain = chain + self.specs_in(prefix)
            last = i == len(parts) - 1
            if self.matches(chain, prefix + part, is_dir or not last):
                return True
            prefix = prefix + part + "/"
        return False

    def forget(self) -> None:
        """Drop cached ignore files (one of them changed)."""
        self._dir_specs.clear()


def walk(root: Path, rules: IgnoreRules | None = None) -> WalkResult:
    """Every indexable file below `root`, relative and sorted; what was left out, counted."""
    rules = rules or IgnoreRules(root)
    result = WalkResult()
    root_stat = os.stat(root)
    visited: set[tuple[int, int]] = {(root_stat.st_dev, root_stat.st_ino)}
    # (absolute dir, relative dir "" or "a/b/", spec chain, ancestor inode keys)
    stack: list[tuple[str, str, list[Spec], frozenset[tuple[int, int]]]] = [
        (str(root), "", rules.base, frozenset(visited))
    ]
    root_prefix = str(root).rstrip(os.sep) + os.sep
    while stack:
        abs_dir, rel_dir, chain, ancestors = stack.pop()
        try:
            with os.scandir(abs_dir) as it:
                entries = list(it)
        except OSError:
            result.skipped[UNREADABLE_DIR] += 1
            continue
        names = {e.name for e in entries}
        present = [name for name in IGNORE_FILES if name in names]
        if present:
            chain = chain + rules.specs_in(rel_dir, present)
        subdirs = []
        for entry in entries:
            rel = rel_dir + entry.name
            try:
                is_link = entry.is_symlink()
                if is_link:
                    target = os.path.realpath(entry.path)
                    if not (target + os.sep).startswith(root_prefix):
                        result.skipped[OUTSIDE] += 1
                        continue
                    try:
                        st = os.stat(entry.path)
                    except OSError:
                        result.skipped[BROKEN_LINK] += 1
                        continue
                else:
                    st = entry.stat(follow_symlinks=False)
            except OSError:  # vanished between listing and stat
                continue
            is_dir = stat.S_ISDIR(st.st_mode)
            if is_dir and entry.name in VCS_DIRS:
                continue
            if chain and rules.matches(chain, rel, is_dir):
                continue
            if is_dir:
                key = (st.st_dev, st.st_ino)
                if key in ancestors:
                    result.skipped[SYMLINK_LOOP] += 1
                    continue
                if key in visited:
                    result.skipped[SYMLINK_DUPLICATE] += 1
                    continue
                visited.add(key)
                subdirs.append((entry.path, rel + "/", chain, ancestors | {key}))
            elif stat.S_ISREG(st.st_mode):
                result.files.append((rel, st.st_size, st.st_mtime_ns))
            else:
                result.skipped[SPECIAL] += 1
        stack.extend(subdirs)
    result.files.sort()
    return result


def rescan(
    folder: WorkspaceFolder, rules: IgnoreRules, rels: list[str], max_bytes: int
) -> list[FileResult]:
    """Re-read single changed paths: gone, ignored or leading outside -> `vanished`."""
    out = []
    for rel in rels:
        full = folder.root / rel
        gone = not full.exists() or rules.is_ignored(rel)
        if not gone and full.is_symlink():
            gone = not folder.contains(canonical(full))
        if gone:
            out.append(FileResult(rel, "skipped", VANISHED))
        else:
            out.append(scan_file(str(folder.root), rel, max_bytes, None))
    return out
