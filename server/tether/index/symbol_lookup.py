"""find_symbol: definitions by name, exact first, then looser matches.

`Container.name` and `Container::name` narrow to a container. Exact matches score 3,
case-insensitive 2, prefix 1.5, substring 1; variables rank a little below functions and
types of the same match, since a model asking for a symbol usually wants code.
"""

from __future__ import annotations

import re
from typing import Any

from tether.index.db import IndexDB
from tether.index.hits import SymbolHit

_SELECT = (
    "SELECT f.path, s.name, s.kind, s.line, s.end_line, s.container, s.signature"
    " FROM symbols s JOIN files f ON f.id = s.file_id WHERE "
)
_KIND_PENALTY = {"variable": 0.2, "constant": 0.1, "impl": 0.3, "prototype": 0.1}


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def lookup_symbol(db: IndexDB, name: str, limit: int = 20) -> list[SymbolHit]:
    """Definitions matching `name`, best first (blocking: run in a thread)."""
    name = name.strip()
    if not name or limit <= 0:
        return []
    container: str | None = None
    parts = re.split(r"::|\.|#", name)
    if len(parts) > 1 and all(parts):
        container, name = parts[-2], parts[-1]
    tiers: list[tuple[float, str, tuple[Any, ...]]] = [
        (3.0, "s.name = ?", (name,)),
        (2.0, "lower(s.name) = lower(?)", (name,)),
        (1.5, "s.name LIKE ? ESCAPE '\\'", (_like_escape(name) + "%",)),
        (1.0, "s.name LIKE ? ESCAPE '\\'", ("%" + _like_escape(name) + "%",)),
    ]
    seen: set[tuple[str, int, str]] = set()
    hits: list[SymbolHit] = []
    for score, where, params in tiers:
        if len(hits) >= limit:
            break
        sql = _SELECT + where
        args: tuple[Any, ...] = params
        if container is not None:
            sql += " AND s.container = ?"
            args = (*params, container)
        sql += " ORDER BY f.path, s.line LIMIT ?"
        for path, sym, kind, line, end_line, cont, signature in db.query(
            sql, (*args, limit * 4)
        ):
            key = (path, line, sym)
            if key in seen:
                continue
            seen.add(key)
            hits.append(SymbolHit(
                path=path, line=int(line), end_line=int(end_line), symbol=sym, kind=kind,
                score=round(score - _KIND_PENALTY.get(kind, 0.0), 4),
                preview=signature.strip(), container=cont or None,
            ))
    hits.sort(key=lambda h: (-h.score, h.path, h.line))
    return hits[:limit]
