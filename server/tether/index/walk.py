"""Which files of a workspace folder the index holds: the workspace walk, counted.

The walk itself (ignore rules, VCS dirs, symlinks, special files) is
`tether.workspace.walk`, the same one grep and glob use, so `search_code` and the tools
see the same files.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tether.index.scan import VANISHED, FileResult, scan_file
from tether.workspace import walk as workspace_walk
from tether.workspace.folder import WorkspaceFolder, canonical
from tether.workspace.walk import IGNORE_FILES, IgnoreRules

__all__ = ["IGNORE_FILES", "IgnoreRules", "WalkResult", "rescan", "walk"]


@dataclass
class WalkResult:
    files: list[tuple[str, int, int]] = field(default_factory=list)  # (path, size, mtime_ns)
    skipped: Counter[str] = field(default_factory=Counter)


def walk(root: Path, rules: IgnoreRules | None = None) -> WalkResult:
    """Every indexable file below `root`, relative and sorted; what was left out, counted."""
    result = WalkResult()
    result.files = sorted(
        (f.rel, f.size, f.mtime_ns)
        for f in workspace_walk.walk(rules or IgnoreRules(root), skipped=result.skipped,
                                        ordered=False)
    )
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
