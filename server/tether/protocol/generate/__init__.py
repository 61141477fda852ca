"""Write every artifact derived from the protocol models; `--check` reports drift.

    python -m tether.protocol.generate [--check] [--root DIR]

Artifacts (paths relative to the repository root): the JSON Schema, `protocol-spec.md`,
the VS Code client's `protocol.ts` and the Neovim client's LuaLS stubs. Output is
deterministic (no timestamps, stable order), so `--check` can compare bytes.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from tether.protocol.generate.lua import render_lua
from tether.protocol.generate.markdown import render_markdown
from tether.protocol.generate.schema import Schema, model_defs, protocol_schema
from tether.protocol.generate.typescript import render_typescript

log = logging.getLogger(__name__)

SCHEMA_PATH = "schema/tether-protocol.schema.json"
SPEC_PATH = "protocol-spec.md"
TS_PATH = "vscode-client/src/protocol.ts"
LUA_PATH = "nvim-client/lua/tether/types.lua"


def _schema_text(_: dict[str, Schema]) -> str:
    return json.dumps(protocol_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Callable[[dict[str, Schema]], str]] = {
    SCHEMA_PATH: _schema_text,
    SPEC_PATH: render_markdown,
    TS_PATH: render_typescript,
    LUA_PATH: render_lua,
}


def default_root() -> Path:
    """The repository root: the directory holding `pyproject.toml` above this package."""
    for parent in Path(__file__).resolve().parents:
        if (parent / "pyproject.toml").is_file() and (parent / "server").is_dir():
            return parent
    raise FileNotFoundError("cannot find the repository root; pass --root")


def render_all() -> dict[str, str]:
    """Every artifact's text, keyed by its path relative to the root."""
    defs = model_defs()
    return {path: render(defs) for path, render in RENDERERS.items()}


def drifted(root: Path) -> list[str]:
    """Paths whose content on disk differs from what the generator would write."""
    stale = []
    for path, text in render_all().items():
        target = root / path
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            stale.append(path)
    return stale


def write_all(root: Path) -> list[str]:
    """Write the artifacts that changed; return their paths."""
    written = []
    for path, text in render_all().items():
        target = root / path
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tether.protocol.generate",
        description="Generate the protocol's JSON Schema, spec, TypeScript and Lua types.",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a file is out of date")
    parser.add_argument("--root", type=Path, default=None, help="repository root")
    args = parser.parse_args(argv)
    root: Path = args.root or default_root()
    if args.check:
        stale = drifted(root)
        for path in stale:
            sys.stderr.write(f"{path} is out of date: run python -m tether.protocol.generate\n")
        return 1 if stale else 0
    for path in write_all(root):
        sys.stderr.write(f"wrote {path}\n")
    return 0


__all__ = ["LUA_PATH", "SCHEMA_PATH", "SPEC_PATH", "TS_PATH", "drifted", "main", "render_all",
           "write_all"]
