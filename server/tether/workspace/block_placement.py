"""Where a code block from the chat goes in a file: the rules of "Apply to file".

Pure (no I/O, no editor): the session layer reads the live buffer, asks here, then
delivers the answer through the one edit path (recording bridge → editor bridge →
`edit_plan.plan_edit`), so an applied block is reviewed, undone and refused against a
stale buffer exactly like an agent edit. The rules, in order:

1. an absent or blank file becomes the block;
2. a block whose first and last lines anchor a region of the file (exactly, then
   ignoring whitespace, re-indented to the file's indentation) replaces that region;
3. a block that is clearly the whole file (most lines on both sides match) replaces it;
4. anything else is refused, saying what to do instead (Insert at Cursor).
"""

from __future__ import annotations

import difflib
import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from tether.workspace.diffs import split_lines

PlacementKind = Literal["created", "region", "whole"]
WHOLE_FILE_SHARE = 0.6  # a "whole file" block shares this much of both sides' lines
MAX_PAIRS = 2000  # (start, end) anchor pairs scored at most; past that it is ambiguous
INSTEAD = "use Insert at Cursor to put it where it belongs"

LineKey = Callable[[str], str]


@dataclass(frozen=True)
class Placed:
    """The file's new text, and which of its lines the block replaced (1-based)."""

    text: str
    kind: PlacementKind
    start_line: int = 0  # first line replaced; 0 when the block became the file
    end_line: int = 0  # last line replaced; 0 when the block became the file


@dataclass(frozen=True)
class Unplaced:
    """Where the block goes cannot be told; `message` says why and what to do."""

    message: str


@dataclass(frozen=True)
class _Region:
    first: int  # 0-based file lines, inclusive
    last: int
    score: int


def _exact(line: str) -> str:
    return line.rstrip()


def _squeezed(line: str) -> str:
    return "".join(line.split())


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _eol(text: str) -> str:
    """The file's line ending (its first one; \\n for a one-line file)."""
    for line in split_lines(text, keepends=True):
        if line.endswith("\r\n"):
            return "\r\n"
        if line.endswith("\r"):
            return "\r"
        return "\n"
    return "\n"


def block_lines(block: str) -> list[str]:
    """The block's lines without terminators, blank lines at either end dropped."""
    lines = split_lines(block)
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return lines


def place_block(current: str | None, block: str, name: str) -> Placed | Unplaced:
    """Decide the new text of `name` (now `current`; None: absent) with `block` applied."""
    code = block_lines(block)
    if not code:
        return Unplaced("the code block is empty: there is nothing to apply")
    if current is None or not current.strip():
        return Placed("\n".join(code) + "\n", "created")
    lines = split_lines(current, keepends=True)
    for key in (_exact, _squeezed):
        region = _anchor(lines, code, key)
        if isinstance(region, Unplaced):
            return Unplaced(f"{region.message} in {name}; {INSTEAD}")
        if region is not None:
            return _replace(lines, _reindent(code, lines[region.first]), region, _eol(current))
    if _is_whole_file(lines, code):
        return _replace(lines, code, _Region(0, len(lines) - 1, 0), _eol(current), "whole")
    return Unplaced(
        f"cannot tell where this code goes in {name}: its first and last lines do not "
        f"match lines of the file, and it is not the whole file; {INSTEAD}")


def _anchor(lines: list[str], code: list[str], key: LineKey) -> _Region | Unplaced | None:
    """The region whose first and last lines match the block's under `key`.

    Among several, the one that keeps most of its lines in the block (a region that
    would lose more lines than it keeps is no anchor); Unplaced when two tie.
    """
    if len(code) < 2:  # a one-line block is its own anchor: it would change nothing
        return None
    keys = [key(line) for line in lines]
    pairs = _anchor_pairs(keys, key(code[0]), key(code[-1]))
    if len(pairs) > MAX_PAIRS:
        return Unplaced(f"the block's first and last lines occur too often (over "
                        f"{MAX_PAIRS} possible regions)")
    return _best_region(keys, Counter(key(line) for line in code), pairs)


def _anchor_pairs(keys: list[str], first: str, last: str) -> list[tuple[int, int]]:
    """Each (start, end) of file lines matching the block's first and last line; one
    more than MAX_PAIRS at most (a block of `}` lines must not cost quadratic memory)."""
    starts = [i for i, k in enumerate(keys) if k == first]
    ends = [j for j, k in enumerate(keys) if k == last]
    pairs = ((i, j) for i in starts for j in ends if j > i)
    return list(itertools.islice(pairs, MAX_PAIRS + 1))


def _best_region(keys: list[str], wanted: Counter[str],
                 pairs: list[tuple[int, int]]) -> _Region | Unplaced | None:
    regions = sorted((r for r in (_scored(keys, wanted, i, j) for i, j in pairs)
                      if r.score > 0), key=lambda r: (-r.score, r.first))
    if not regions:
        return None
    if len(regions) > 1 and regions[1].score == regions[0].score:
        return Unplaced(f"the block matches {_lines(regions[0])} and {_lines(regions[1])} "
                        "equally well")
    return regions[0]


def _scored(keys: list[str], wanted: Counter[str], first: int, last: int) -> _Region:
    """The region's lines the block keeps, less those it would drop (lines the block
    adds cost nothing: growing a function is what a block usually does)."""
    shared = sum((Counter(keys[first : last + 1]) & wanted).values())
    return _Region(first, last, 2 * shared - (last - first + 1))


def _lines(region: _Region) -> str:
    return f"lines {region.first + 1}-{region.last + 1}"


def _reindent(code: list[str], anchor: str) -> list[str]:
    """The block shifted to the anchor line's indentation (a method shown dedented)."""
    have, want = _indent(code[0]), _indent(anchor)
    if have == want:
        return code
    if want.startswith(have):
        extra = want[len(have):]
        return [extra + line if line.strip() else line for line in code]
    if have.startswith(want):
        cut = len(have) - len(want)
        return [line[cut:] if line[:cut].isspace() else line for line in code]
    return code


def _replace(lines: list[str], code: list[str], region: _Region, eol: str,
             kind: PlacementKind = "region") -> Placed:
    ends_with_eol = lines[region.last] != lines[region.last].rstrip("\r\n")
    body = eol.join(code) + (eol if ends_with_eol else "")
    text = "".join(lines[: region.first]) + body + "".join(lines[region.last + 1 :])
    return Placed(text, kind, region.first + 1, region.last + 1)


def _is_whole_file(lines: list[str], code: list[str]) -> bool:
    """Most of the file's lines are in the block and most of the block's in the file."""
    ours = [_squeezed(line) for line in lines if line.strip()]
    theirs = [_squeezed(line) for line in code if line.strip()]
    matcher = difflib.SequenceMatcher(None, ours, theirs, autojunk=False)
    same = sum(block.size for block in matcher.get_matching_blocks())
    return same >= WHOLE_FILE_SHARE * len(ours) and same >= WHOLE_FILE_SHARE * len(theirs)
