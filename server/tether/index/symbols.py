"""Definitions and references of one file, from tree-sitter and the queries in languages.py.

Runs inside parse workers (threads or processes), so parsers and compiled queries are
cached per process. Containers come from nesting (the innermost enclosing definition),
which works the same way in every language; a query can override it with `@container`.
"""

from __future__ import annotations

import builtins
import logging
from collections import Counter
from typing import Any, NamedTuple

from tree_sitter import Language, Parser, Query, QueryCursor, QueryError

from tether.index.languages import QUERIES, load_grammar

log = logging.getLogger(__name__)

_CLASSLIKE = frozenset({"class", "struct", "impl", "trait", "interface", "enum", "union"})
_CALLABLE = frozenset({"function", "method", "constructor", "local"})
MAX_SIGNATURE = 200
MEMBER = "."  # prefix of member-call references in `refs` (".pop": some object's pop)
# References that are almost always the language's own, not the project's: `super()`,
# `len()`, `list()`... would otherwise tie every file to whichever file defines a `list`.
_BUILTIN_REFS: dict[str, frozenset[str]] = {
    "python": frozenset(name for name in dir(builtins) if not name.startswith("_")),
}


class Symbol(NamedTuple):
    name: str
    kind: str
    line: int  # 0-based line of the name
    col: int
    end_line: int  # 0-based last line of the definition
    container: str | None
    signature: str  # the source line holding the name, right-stripped


class Extraction(NamedTuple):
    symbols: list[Symbol]
    refs: dict[str, int]
    has_error: bool


_cache: dict[str, tuple[Parser, Query] | None] = {}


def _tools(language: str) -> tuple[Parser, Query] | None:
    if language in _cache:
        return _cache[language]
    tools: tuple[Parser, Query] | None = None
    raw = load_grammar(language)
    if raw is not None:
        try:
            lang = Language(raw)
            tools = (Parser(lang), Query(lang, QUERIES[language]))
        except (QueryError, ValueError) as exc:  # a grammar/query mismatch: search-only
            log.warning("no symbols for %s: %s", language, exc)
    _cache[language] = tools
    return tools


def supports(language: str | None) -> bool:
    return language is not None and _tools(language) is not None


# name start byte -> (pattern index, (start_byte, -end_byte, symbol), container override)
_ByName = dict[int, tuple[int, tuple[int, int, Symbol], str | None]]


def extract(language: str, text: str) -> Extraction | None:
    """Symbols and reference counts of `text`; None when the language has no grammar."""
    tools = _tools(language)
    if tools is None:
        return None
    parser, query = tools
    source = text.encode("utf-8")
    tree = parser.parse(source)
    root = tree.root_node
    lines = text.split("\n")
    by_name: _ByName = {}
    refs: Counter[str] = Counter()
    for pattern, captures in QueryCursor(query).matches(root):
        if not _counted_as_reference(captures, refs):
            _take_definition(pattern, captures, lines, by_name)
    found = [entry for _, entry, _ in by_name.values()]
    overrides = {i: c for i, (_, _, c) in enumerate(by_name.values()) if c is not None}
    symbols = _nest(found, overrides)
    for name in _BUILTIN_REFS.get(language, frozenset()) & refs.keys():
        del refs[name]  # member calls (".append") are kept: they may be the project's
    return Extraction(symbols, dict(refs), root.has_error)


def _counted_as_reference(captures: dict[str, Any], refs: Counter[str]) -> bool:
    """Count the match's references (member calls under MEMBER); False if it has none."""
    if "ref" in captures:
        for node in captures["ref"]:
            refs[_text(node)] += 1
        return True
    if "ref.member" in captures:
        for node in captures["ref.member"]:
            refs[MEMBER + _text(node)] += 1
        return True
    return False


def _take_definition(
    pattern: int, captures: dict[str, Any], lines: list[str], by_name: _ByName
) -> None:
    """Record the match's definition by its name's position; of two patterns matching
    one name, the earlier pattern wins."""
    names = captures.get("name")
    def_key = next((k for k in captures if k.startswith("def.")), None)
    if not names or def_key is None:
        return
    name_node = names[0]
    previous = by_name.get(name_node.start_byte)
    if previous is not None and previous[0] <= pattern:
        return
    def_node = captures[def_key][0]
    row = name_node.start_point[0]
    line_text = lines[row] if row < len(lines) else ""
    symbol = Symbol(
        name=_text(name_node),
        kind=def_key[4:],
        line=row,
        col=name_node.start_point[1],
        end_line=def_node.end_point[0],
        container=None,
        signature=line_text.rstrip()[:MAX_SIGNATURE],
    )
    container = _text(captures["container"][0]) if "container" in captures else None
    by_name[name_node.start_byte] = (
        pattern, (def_node.start_byte, -def_node.end_byte, symbol), container
    )


def _nest(found: list[tuple[int, int, Symbol]], overrides: dict[int, str]) -> list[Symbol]:
    """Fill in containers from nesting; functions inside class-likes become methods,
    functions inside functions become locals."""
    order = sorted(range(len(found)), key=lambda i: (found[i][0], found[i][1]))
    stack: list[tuple[int, Symbol]] = []  # (end_byte, symbol)
    out: list[Symbol] = []
    for i in order:
        start, neg_end, symbol = found[i]
        while stack and stack[-1][0] <= start:
            stack.pop()
        parent = stack[-1][1] if stack else None
        container = overrides.get(i) or (parent.name if parent else None)
        kind = symbol.kind
        if kind == "function" and parent is not None and parent.kind in _CLASSLIKE:
            kind = "method"
        elif kind in ("function", "variable") and parent is not None and (
            parent.kind in _CALLABLE
        ):
            kind = "local"  # a helper inside a function: findable, but not map material
        symbol = symbol._replace(container=container, kind=kind)
        out.append(symbol)
        stack.append((-neg_end, symbol))
    return out


def _text(node: Any) -> str:
    raw: bytes = node.text or b""
    return raw.decode("utf-8", "replace")
