"""What the workspace index answers, as types: callers read fields, not dict keys.

`FileHit` (with its `LineHit`s) is a file-ranked search result, `SearchHit` one text
chunk's best line, `SymbolHit` a definition. Each has the JSON shape `tether search
--json` and the tools print, from `to_dict()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class LineHit:
    line: int  # 0-based
    score: float
    preview: str
    symbol: str | None = None


@dataclass
class FileHit:
    path: str
    score: float
    lines: list[LineHit] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `tether search --json` and the tools."""
        return {"path": self.path, "score": round(self.score, 6), "lines": [
            {k: v for k, v in (("line", h.line), ("score", round(h.score, 6)),
                               ("symbol", h.symbol), ("preview", h.preview)) if v is not None}
            for h in self.lines
        ]}


@dataclass
class SearchHit:
    """One matching chunk: its file, score, and the line (0-based) that best shows why."""

    path: str
    score: float
    line: int | None = None  # None: no line of the chunk holds a query term
    symbol: str | None = None  # the definition the line opens, when it is one
    preview: str = ""


@dataclass
class SymbolHit:
    """One definition: where (0-based lines), what, and how well it matches the name."""

    path: str
    line: int
    end_line: int
    symbol: str
    kind: str
    score: float
    preview: str
    container: str | None = None
