"""Three-way merge of the agent's edit onto text the user changed after the agent read it.

The agent computes its edit against `base` (what it read). When the buffer or the disk
has moved on (`theirs`), applying the agent's whole-file text would throw the user's
changes away. Instead the agent's hunks (base → ours) are replayed onto theirs, as long
as none of them overlaps or touches a hunk of the user's (base → theirs) — the same rule
`git merge` uses, adjacent changes included. Identical changes on both sides are fine.

Lines are split on "\\n" only, so a missing final newline is just an empty last element
and appending to a file without a trailing newline is a plain insertion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher


@dataclass(frozen=True)
class Conflict:
    """Lines (1-based, inclusive, in the current text) the user changed where the agent edits."""

    start: int
    end: int

    def describe(self) -> str:
        return f"line {self.start}" if self.start == self.end else f"lines {self.start}-{self.end}"


@dataclass(frozen=True)
class RebaseResult:
    ok: bool
    text: str | None = None  # the merged text, when ok
    conflicts: list[Conflict] = field(default_factory=list)
    message: str = ""


@dataclass(frozen=True)
class _Hunk:
    """A change of base[i1:i2] into `lines`; j1/j2 locate it in the side's own text."""

    i1: int
    i2: int
    j1: int
    j2: int
    lines: list[str]
    agent: bool


def rebase(base: str, theirs: str, ours: str) -> RebaseResult:
    """Apply the agent's change (base → ours) onto the current text `theirs`."""
    if theirs in (base, ours):
        return RebaseResult(ok=True, text=ours)
    if ours == base:
        return RebaseResult(ok=True, text=theirs)
    base_l, theirs_l = base.split("\n"), theirs.split("\n")
    hunks = sorted(
        _hunks(base_l, ours.split("\n"), agent=True) + _hunks(base_l, theirs_l, agent=False),
        key=lambda h: (h.i1, h.i2),
    )
    merged: list[str] = []
    conflicts: list[Conflict] = []
    cursor = 0
    for cluster in _clusters(hunks):
        c1 = min(h.i1 for h in cluster)
        merged.extend(base_l[cursor:c1])
        cursor = max(h.i2 for h in cluster)
        lines, clashes = _merge_cluster(base_l, c1, cursor, cluster, len(theirs_l))
        merged.extend(lines)
        conflicts.extend(clashes)
    merged.extend(base_l[cursor:])
    if conflicts:
        ranges = _merge_ranges(conflicts)
        where = ", ".join(c.describe() for c in ranges)
        return RebaseResult(
            ok=False,
            conflicts=ranges,
            message=f"{where} changed in the editor since the agent read the file",
        )
    return RebaseResult(ok=True, text="\n".join(merged))


def _merge_cluster(base: list[str], c1: int, c2: int, cluster: list[_Hunk], their_len: int
                   ) -> tuple[list[str], list[Conflict]]:
    """base[c1:c2] as merged: the user's text wins; where the agent's differs, a conflict."""
    mine = [h for h in cluster if h.agent]
    users = [h for h in cluster if not h.agent]
    if not users:
        return _apply(base, c1, c2, mine), []
    their_text = _apply(base, c1, c2, users)
    if mine and _apply(base, c1, c2, mine) != their_text:
        return their_text, [_conflict(h, their_len) for h in users]
    return their_text, []


def _hunks(base: list[str], other: list[str], *, agent: bool) -> list[_Hunk]:
    matcher = SequenceMatcher(None, base, other, autojunk=False)
    return [
        _Hunk(i1, i2, j1, j2, other[j1:j2], agent)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def _clusters(hunks: list[_Hunk]) -> list[list[_Hunk]]:
    """Group hunks whose base ranges overlap or touch (closed intervals)."""
    groups: list[list[_Hunk]] = []
    end = -1
    for hunk in hunks:
        if groups and hunk.i1 <= end:
            groups[-1].append(hunk)
            end = max(end, hunk.i2)
        else:
            groups.append([hunk])
            end = hunk.i2
    return groups


def _apply(base: list[str], c1: int, c2: int, hunks: list[_Hunk]) -> list[str]:
    """base[c1:c2] with one side's hunks (all inside the range) applied."""
    out: list[str] = []
    pos = c1
    for hunk in sorted(hunks, key=lambda h: (h.i1, h.i2)):
        out.extend(base[pos : hunk.i1])
        out.extend(hunk.lines)
        pos = hunk.i2
    out.extend(base[pos:c2])
    return out


def _conflict(hunk: _Hunk, their_len: int) -> Conflict:
    if hunk.j2 > hunk.j1:
        return Conflict(hunk.j1 + 1, hunk.j2)
    line = min(max(hunk.j1, 1), their_len)  # a deletion: point at the line before the gap
    return Conflict(line, line)


def _merge_ranges(conflicts: list[Conflict]) -> list[Conflict]:
    out: list[Conflict] = []
    for c in sorted(conflicts, key=lambda c: (c.start, c.end)):
        if out and c.start <= out[-1].end + 1:
            out[-1] = Conflict(out[-1].start, max(out[-1].end, c.end))
        else:
            out.append(c)
    return out
