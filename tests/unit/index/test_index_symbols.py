"""Symbol extraction per language: kind, name, line, container, references.

The samples are stored as `<name>.txt` so linters leave them alone; tests parse them under
their real names.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tether.index.scan import analyse_text
from tether.index.symbols import extract

SAMPLES = Path(__file__).parent / "data" / "samples"

# (file, language, expected (kind, name, 0-based line, container), expected refs subset)
CASES = [
    ("sample.py", "python",
     {("class", "Shape", 4, None), ("method", "area", 7, "Shape"), ("method", "name", 11, "Shape"),
      ("function", "compute_area", 15, None), ("variable", "LIMIT", 19, None)},
     {"Base", "compute_area", "helper", ".basename"}),
    ("sample.js", "javascript",
     {("class", "Widget", 2, None), ("method", "draw", 3, "Widget"),
      ("function", "makeWidget", 8, None), ("function", "toggle", 12, None)},
     {"Component", "render", ".layout", "Widget", ".flip"}),
    ("sample.ts", "typescript",
     {("interface", "Point", 0, None), ("type", "Id", 1, None), ("enum", "Color", 2, None),
      ("class", "Repo", 4, None), ("method", "find", 5, "Repo"), ("method", "save", 6, "Repo"),
      ("function", "distance", 9, None)},
     {"Point", "Id", "persist", ".hypot"}),
    ("sample.tsx", "tsx",
     {("function", "Button", 0, None), ("interface", "ButtonProps", 3, None)},
     {"ButtonProps", "label"}),
    ("sample.rs", "rust",
     {("struct", "Counter", 0, None), ("trait", "Tick", 4, None), ("method", "tick", 5, "Tick"),
      ("impl", "Counter", 8, None),
      ("method", "tick", 9, "Counter"), ("enum", "Mode", 14, None),
      ("function", "bump", 16, None), ("macro", "square", 21, None)},
     {"Counter", "Tick", "bump", "println"}),
    ("sample.go", "go",
     {("type", "Rect", 2, None), ("type", "Shape", 6, None), ("method", "Area", 10, "Rect"),
      ("function", "mul", 14, None), ("constant", "Pi", 16, None)},
     {"mul", "Rect"}),
    ("Sample.java", "java",
     {("class", "Account", 2, None), ("constructor", "Account", 5, "Account"),
      ("method", "deposit", 7, "Account"), ("interface", "Listener", 12, "Account"),
      ("method", "changed", 12, "Listener"), ("enum", "Kind", 14, "Account")},
     {"Base", "Comparable", "addExact", "audit"}),
    ("sample.c", "c",
     {("macro", "MAX_ITEMS", 1, None), ("struct", "list", 3, None), ("type", "list_t", 8, None),
      ("prototype", "list_push", 10, None), ("function", "first", 12, None),
      ("function", "list_push", 14, None)},
     {"printf", "list"}),
    ("sample.cpp", "cpp",
     {("namespace", "net", 2, None), ("class", "Socket", 4, "net"),
      ("method", "open", 6, "Socket"), ("method", "fd", 7, "Socket"),
      ("method", "open", 12, "Socket"), ("function", "main", 18, None)},
     {"connect_to", ".open", "Socket"}),
]


@pytest.mark.parametrize(("name", "language", "defs", "refs"), CASES, ids=[c[0] for c in CASES])
def test_definitions_and_references(
    name: str, language: str, defs: set[tuple[str, str, int, str | None]], refs: set[str]
) -> None:
    result = analyse_text(name, (SAMPLES / f"{name}.txt").read_text())
    assert result.language == language
    assert not result.has_error
    got = {(s.kind, s.name, s.line, s.container) for s in result.symbols}
    assert got == defs
    assert refs <= set(result.refs)


def test_signature_is_the_source_line_of_the_name() -> None:
    result = analyse_text("sample.py", (SAMPLES / "sample.py.txt").read_text())
    area = next(s for s in result.symbols if s.name == "area")
    assert area.signature == "    def area(self) -> float:"
    assert area.end_line == 8


def test_reference_counts() -> None:
    text = "def f():\n    g()\n    g()\n    h.g()\n"
    extraction = extract("python", text)
    assert extraction is not None
    # Plain calls and member calls (someone's `g`) are counted apart.
    assert (extraction.refs["g"], extraction.refs[".g"]) == (2, 1)


def test_python_builtins_are_not_references() -> None:
    extraction = extract("python", "def f(xs):\n    return len(list(xs)) + xs.count(1)\n")
    assert extraction is not None
    assert set(extraction.refs) == {".count"}


def test_language_without_grammar_is_search_only() -> None:
    result = analyse_text("script.rb", "def hello\n  puts 'hi'\nend\n")
    assert result.language == "ruby"
    assert result.symbols == [] and result.refs == {}
    assert result.chunks and "puts" in result.chunks[0].body


def test_unknown_extension_still_gets_chunks() -> None:
    result = analyse_text("Makefile", "all:\n\techo build\n")
    assert result.language is None
    assert result.chunks[0].body.startswith("all:")


def test_syntax_errors_keep_the_parsable_symbols() -> None:
    text = "def good():\n    pass\n\ndef broken(:\n    ]]]\n\nclass Later:\n    pass\n"
    result = analyse_text("bad.py", text)
    assert result.has_error
    names = {s.name for s in result.symbols}
    assert "good" in names and "Later" in names


def test_unicode_names_and_non_ascii_text() -> None:
    text = "# héllo wörld\ndef grüße():\n    return '✓'\n"
    result = analyse_text("u.py", text)
    [symbol] = result.symbols
    assert (symbol.name, symbol.line) == ("grüße", 1)


def test_functions_inside_functions_are_locals() -> None:
    text = "def outer():\n    def helper():\n        pass\n    return helper\n"
    result = analyse_text("n.py", text)
    kinds = {(s.name, s.kind, s.container) for s in result.symbols}
    assert kinds == {("outer", "function", None), ("helper", "local", "outer")}
