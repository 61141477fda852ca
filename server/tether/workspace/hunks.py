"""The hunks of a turn's change to one file: stable ids, partial undo, compact deltas.

Pure text work (no I/O) shared by the change set and its review. Lines are split on
"\\n" only, exactly as `rebase.py` splits them, so `"\\n".join(lines)` gives back the
very text and the three-way merge sees the same lines.

A hunk's id is a hash of the file, the lines it removes and the lines it adds (and
which repeat of such an identical change it is), not of its position: a later edit
elsewhere in the same file during the same turn shifts line numbers but keeps every
other hunk's id, so a client's "Undo" button still names the hunk the user saw. An edit
that changes the hunk itself gives it a new id — it is a different change.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from difflib import SequenceMatcher


@dataclass(frozen=True)
class Hunk:
    id: str
    old_start: int  # 0-based index of the first replaced line in the text before
    old_lines: tuple[str, ...]
    new_start: int  # 0-based index of the first new line in the text after
    new_lines: tuple[str, ...]

    @property
    def old_end(self) -> int:
        return self.old_start + len(self.old_lines)

    def describe(self) -> str:
        """1-based lines of the change in the text after it ("lines 3-5", "line 4")."""
        if self.new_lines:
            first, last = self.new_start + 1, self.new_start + len(self.new_lines)
        else:
            first = last = max(self.new_start, 1)
        return f"line {first}" if first == last else f"lines {first}-{last}"


def split(text: str) -> list[str]:
    return text.split("\n")


def _opcodes(old: list[str], new: list[str]) -> list[tuple[int, int, int, int]]:
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    return [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def compute_hunks(key: str, before: str, after: str) -> list[Hunk]:
    """The changes before → after as hunks with stable ids (`key` names the file)."""
    old, new = split(before), split(after)
    seen: dict[str, int] = {}
    hunks: list[Hunk] = []
    for i1, i2, j1, j2 in _opcodes(old, new):
        removed, added = tuple(old[i1:i2]), tuple(new[j1:j2])
        digest = hashlib.sha1(
            json.dumps([key, removed, added]).encode("utf-8", "surrogatepass")
        ).hexdigest()[:12]
        repeat = seen.get(digest, 0)
        seen[digest] = repeat + 1
        hunk_id = digest if repeat == 0 else f"{digest}.{repeat}"
        hunks.append(Hunk(hunk_id, i1, removed, j1, added))
    return hunks


def apply_hunks(before: str, hunks: list[Hunk]) -> str:
    """`before` with only `hunks` (computed against it) applied."""
    old = split(before)
    out: list[str] = []
    pos = 0
    for hunk in sorted(hunks, key=lambda h: (h.old_start, h.old_end)):
        out.extend(old[pos : hunk.old_start])
        out.extend(hunk.new_lines)
        pos = hunk.old_end
    out.extend(old[pos:])
    return "\n".join(out)


def count_lines(hunks: list[Hunk]) -> tuple[int, int]:
    """(added, removed) lines over `hunks`."""
    return sum(len(h.new_lines) for h in hunks), sum(len(h.old_lines) for h in hunks)


def encode_delta(before: str, after: str) -> bytes:
    """`after` as the changes from `before` (its size grows with the change, not the file)."""
    old, new = split(before), split(after)
    ops = [[i1, i2, new[j1:j2]] for i1, i2, j1, j2 in _opcodes(old, new)]
    return json.dumps({"v": 1, "ops": ops}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8", "surrogatepass")


def decode_delta(before: str, delta: bytes) -> str:
    """The text `encode_delta(before, after)` describes: `after`, exactly."""
    data = json.loads(delta.decode("utf-8", "surrogatepass"))
    old = split(before)
    out: list[str] = []
    pos = 0
    for i1, i2, lines in data["ops"]:
        out.extend(old[pos:i1])
        out.extend(lines)
        pos = i2
    out.extend(old[pos:])
    return "\n".join(out)
