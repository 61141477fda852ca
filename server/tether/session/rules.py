"""Project rules: the instruction files a repository keeps for coding agents.

`AGENTS.md` at the root and the nearest one above each file the turn touches,
`CLAUDE.md`, `.cursor/rules/*.mdc`, `.cursorrules` and `.github/copilot-instructions.md`.
They are read through the editor bridge (the live buffer when open), capped in size,
and go into the system context of every request; they are re-read at every step, so an
edit to them reaches the next request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from tether.errors import TetherError
from tether.workspace.bridge import EditorBridge
from tether.workspace.folder import WorkspaceFolder

log = logging.getLogger(__name__)

ROOT_RULE_FILES = (
    "AGENTS.md",
    "CLAUDE.md",
    ".cursorrules",
    ".github/copilot-instructions.md",
)
CURSOR_RULES_DIR = ".cursor/rules"
NESTED_RULE_FILE = "AGENTS.md"
MAX_RULE_CHARS = 8_000  # per file
MAX_RULES_CHARS = 24_000  # all files together
MAX_CURSOR_RULES = 20


@dataclass(frozen=True)
class RuleFile:
    path: str  # relative to the workspace folder, "/"-separated
    text: str  # as sent (capped)
    truncated: bool = False


def rule_paths(folder: WorkspaceFolder, touched: list[str]) -> list[Path]:
    """Candidate files in the order they are sent: root files, cursor rules, nested AGENTS.md."""
    root = folder.root
    paths = [root / name for name in ROOT_RULE_FILES]
    cursor = root / CURSOR_RULES_DIR
    if cursor.is_dir():
        paths.extend(sorted(cursor.glob("*.mdc"))[:MAX_CURSOR_RULES])
    seen = {p for p in paths}
    for rel in touched:
        nearest = _nearest_agents(root, root / rel)
        if nearest is not None and nearest not in seen:
            seen.add(nearest)
            paths.append(nearest)
    return paths


def _nearest_agents(root: Path, file: Path) -> Path | None:
    """The closest AGENTS.md above `file` inside the folder, other than the root one."""
    directory = file.parent
    while directory != root and root in directory.parents:
        candidate = directory / NESTED_RULE_FILE
        if candidate.is_file():
            return candidate
        directory = directory.parent
    return None


async def read_rules(folder: WorkspaceFolder, bridge: EditorBridge,
                     touched: list[str]) -> list[RuleFile]:
    """The rule files that exist, live text first, each and all capped."""
    rules: list[RuleFile] = []
    room = MAX_RULES_CHARS
    for path in rule_paths(folder, touched):
        if room <= 0:
            break
        if not path.exists() or not folder.contains(path.resolve()):
            continue  # a rules symlink pointing out of the folder is not read
        try:
            snapshot = await bridge.read_document(path)
        except (TetherError, OSError, ValueError) as exc:
            log.info("rules: cannot read %s: %s", path, exc)
            continue
        text = snapshot.text.strip()
        if not snapshot.exists or not text:
            continue
        cap = min(MAX_RULE_CHARS, room)
        truncated = len(text) > cap
        if truncated:
            text = text[:cap] + f"\n[... {len(snapshot.text) - cap:,} more characters left out]"
        room -= len(text)
        rules.append(RuleFile(path=folder.relative(path), text=text, truncated=truncated))
    return rules


def rules_section(rules: list[RuleFile]) -> str:
    """The rules as one system-context section ("" when there are none)."""
    if not rules:
        return ""
    blocks = [f"## {rule.path}\n{rule.text}" for rule in rules]
    return ("Project rules (instructions from the repository's own files; follow them):\n\n"
            + "\n\n".join(blocks))
