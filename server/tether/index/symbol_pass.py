"""A build's second pass: symbols and references of files already searchable as text.

Parsing with tree-sitter is most of a cold build's work (about 3/4 on black's tree), so a
cold build first stores every file's text chunks (search answers at once) and then parses
the files in this pass, filling in the symbols and the references of the repo-map graph
(the text index is not touched again: search reads definitions from the symbols table).
A file changed between the passes is skipped here: its new
version was (or will be) indexed with its own pass. Plain data in and out, so it runs in a
worker process like scan.py.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from tether.index import symbols as symbols_mod
from tether.index.languages import language_for
from tether.index.scan import decode, hash_bytes
from tether.index.symbols import Symbol


class SymbolResult(NamedTuple):
    path: str
    hash: str  # of the content parsed: applied only if the index still has this version
    symbols: list[Symbol]
    refs: dict[str, int]
    has_error: bool


def parse_symbols(root: str, path: str, expected_hash: str, max_bytes: int) -> SymbolResult | None:
    """Symbols of `root/path` if it still holds the indexed content (None: it changed)."""
    try:
        with open(os.path.join(root, path), "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError:
        return None
    if hash_bytes(data) != expected_hash:
        return None
    text = decode(data)
    language = language_for(path)
    syms: list[Symbol] = []
    refs: dict[str, int] = {}
    has_error = False
    if text is not None and language is not None and symbols_mod.supports(language):
        try:
            extraction = symbols_mod.extract(language, text)
        except Exception:  # a grammar crash must not lose the file: search-only
            extraction, has_error = None, True
        if extraction is not None:
            syms, refs, has_error = extraction
    return SymbolResult(path, expected_hash, syms, refs, has_error)


def symbol_batch(root: str, items: list[tuple[str, str]], max_bytes: int) -> list[SymbolResult]:
    """The pool's task for the second pass: (path, hash) pairs in, results of those unchanged."""
    out = []
    for path, digest in items:
        result = parse_symbols(root, path, digest, max_bytes)
        if result is not None:
            out.append(result)
    return out
