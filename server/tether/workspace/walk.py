"""The one gitignore-aware walk of a workspace folder: what grep, glob and the index see.

Rules, lowest precedence first: the global excludes file (`git config core.excludesFile`,
else `$XDG_CONFIG_HOME/git/ignore`), `.git/info/exclude`, then per directory `.gitignore`
and `.ignore` (deeper files win; within a file the last matching pattern wins, as in git;
`!pattern` re-includes; an ignored directory is never entered). VCS directories are never
entered. Hidden files are walked like any other. A symlink is followed only when its
target stays inside the folder; a symlinked directory is walked after the real ones and
only when it leads neither back up the way it came (a loop) nor to a directory already
walked (a duplicate), so each file is seen once, under its real path where it has one.
Only regular files are yielded: FIFOs, sockets and devices are reported (opening one
blocks or never ends), and ignore files are opened with the FIFO-safe opener.
"""

from __future__ import annotations

import logging
import os
import stat
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pathspec

from tether.workspace.diffs import split_lines
from tether.workspace.safe_open import NotRegularFileError, regular_opener

log = logging.getLogger(__name__)

VCS_DIRS = frozenset({".git", ".hg", ".svn", ".jj"})
IGNORE_FILES = (".gitignore", ".ignore")
IGNORE_FILE_MAX_BYTES = 1024 * 1024

# why an entry was left out (the index counts these in its status)
SPECIAL = "special_file"  # FIFO, socket, device: never opened (a FIFO blocks forever)
SYMLINK_LOOP = "symlink_loop"
SYMLINK_DUPLICATE = "symlink_duplicate"
OUTSIDE = "outside_workspace"
BROKEN_LINK = "broken_symlink"
UNREADABLE_DIR = "unreadable_dir"

Spec = tuple[str, pathspec.GitIgnoreSpec]  # (base dir relative to the root, "" or "a/b/")
DirKey = tuple[int, int]  # (st_dev, st_ino)


@dataclass(frozen=True, slots=True)
class WalkedFile:
    """A regular file the walk found: root-relative POSIX path, absolute path, stat facts."""

    rel: str
    path: str
    size: int
    mtime_ns: int


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
            data = handle.read(IGNORE_FILE_MAX_BYTES)
    except (OSError, NotRegularFileError):
        return None
    try:
        spec = pathspec.GitIgnoreSpec.from_lines(split_lines(data.decode("utf-8", "replace")))
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

    def chain_above(self, rel_dir: str) -> list[Spec]:
        """The specs in force for the entries of directory `rel_dir` ("" or "a/b/") that
        come from above it: the base files and its parents' ignore files."""
        chain = list(self.base)
        prefix = ""
        for part in [p for p in rel_dir.split("/") if p][:-1] if rel_dir else []:
            chain += self.specs_in(prefix)
            prefix += part + "/"
        return chain + (self.specs_in(prefix) if rel_dir else [])

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
        if rel in ("", "."):
            return False
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


@dataclass
class _Dir:
    """A directory being listed: its remaining entries and what is in force there."""

    rel: str  # "" or "a/b/"
    entries: Iterator[os.DirEntry[str]]
    chain: list[Spec]
    ancestors: frozenset[DirKey]


class _Walk:
    def __init__(self, rules: IgnoreRules, skipped: Counter[str],
                 specials: list[str] | None, ordered: bool) -> None:
        self.rules = rules
        self.ordered = ordered
        self.skipped = skipped
        self.specials = specials
        self.root_prefix = str(rules.root).rstrip(os.sep) + os.sep
        self.visited: set[DirKey] = set()
        # symlinked directories put off until the real ones are walked
        self.linked: list[tuple[str, str, list[Spec], DirKey, frozenset[DirKey]]] = []

    def run(self, start_abs: str, start_rel: str) -> Iterator[WalkedFile]:
        st = os.stat(start_abs)
        key = (st.st_dev, st.st_ino)
        self.visited.add(key)
        above = self.rules.chain_above(start_rel)
        yield from self._tree(start_abs, start_rel, above, frozenset({key}))
        while self.linked:  # symlinked directories, once the real ones are all seen
            abs_dir, rel, chain, key, ancestors = self.linked.pop(0)
            if key in self.visited:
                self.skipped[SYMLINK_DUPLICATE] += 1
                continue
            self.visited.add(key)
            yield from self._tree(abs_dir, rel, chain, ancestors | {key})

    def _tree(self, abs_dir: str, rel: str, chain: list[Spec],
              ancestors: frozenset[DirKey]) -> Iterator[WalkedFile]:
        top = self._listing(abs_dir, rel, chain, ancestors)
        stack = [top] if top is not None else []
        while stack:
            here = stack[-1]
            entry = next(here.entries, None)
            if entry is None:
                stack.pop()
                continue
            found = self._entry(here, entry)
            if isinstance(found, WalkedFile):
                yield found
            elif found is not None:
                stack.append(found)

    def _listing(self, abs_dir: str, rel: str, chain: list[Spec],
                 ancestors: frozenset[DirKey]) -> _Dir | None:
        try:
            with os.scandir(abs_dir) as it:
                entries = sorted(it, key=_name) if self.ordered else list(it)
        except OSError:
            self.skipped[UNREADABLE_DIR] += 1
            return None
        present = [e.name for e in entries if e.name in IGNORE_FILES]
        if present:
            chain = chain + self.rules.specs_in(rel, present)
        return _Dir(rel, iter(entries), chain, ancestors)

    def _entry(self, here: _Dir, entry: os.DirEntry[str]) -> WalkedFile | _Dir | None:
        rel = here.rel + entry.name
        try:
            if entry.is_symlink():
                target = os.path.realpath(entry.path)
                if not (target + os.sep).startswith(self.root_prefix):
                    self.skipped[OUTSIDE] += 1
                    return None
                try:
                    st = os.stat(entry.path)
                except OSError:
                    self.skipped[BROKEN_LINK] += 1
                    return None
                linked = True
            else:
                st = entry.stat(follow_symlinks=False)
                linked = False
        except OSError:  # vanished between listing and stat
            return None
        is_dir = stat.S_ISDIR(st.st_mode)
        if is_dir and entry.name in VCS_DIRS:
            return None
        if here.chain and self.rules.matches(here.chain, rel, is_dir):
            return None
        if is_dir:
            key = (st.st_dev, st.st_ino)
            if key in here.ancestors:
                self.skipped[SYMLINK_LOOP] += 1
                return None
            if linked:
                self.linked.append((entry.path, rel + "/", here.chain, key, here.ancestors))
                return None
            if key in self.visited:
                self.skipped[SYMLINK_DUPLICATE] += 1
                return None
            self.visited.add(key)
            return self._listing(entry.path, rel + "/", here.chain, here.ancestors | {key})
        if stat.S_ISREG(st.st_mode):
            return WalkedFile(rel, entry.path, st.st_size, st.st_mtime_ns)
        self.skipped[SPECIAL] += 1
        if self.specials is not None:
            self.specials.append(rel)
        return None


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def walk(
    rules: IgnoreRules, start: str = "", *, skipped: Counter[str] | None = None,
    specials: list[str] | None = None, ordered: bool = True,
) -> Iterator[WalkedFile]:
    """Regular files under directory `start` ("" or "a/b", relative to the rules' root),
    not ignored, depth first in name order (symlinked directories last).

    What is left out and why is counted in `skipped`; special files' paths are appended
    to `specials`, so a tool can name them. `ordered=False` skips sorting each listing
    (the index sorts what it keeps anyway).
    """
    rel = start.strip("/")
    if rel and rules.is_ignored(rel, is_dir=True):
        return iter(())
    prefix = rel + "/" if rel else ""
    abs_start = str(rules.root / rel) if rel else str(rules.root)
    counts = skipped if skipped is not None else Counter()
    return _Walk(rules, counts, specials, ordered).run(abs_start, prefix)
