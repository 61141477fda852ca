"""search_code, find_symbol, repo_map: the workspace index offered to the model.

They answer from whatever the index has ready and say so while it is still building; with
no index (or one that is not ready) they return an error outcome pointing at grep/glob,
which always work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from tether.errors import IndexingError, ToolError
from tether.index.hits import FileHit, SymbolHit
from tether.tools.base import IndexQuery, Tool, ToolContext, ToolOutcome
from tether.tools.common import BuiltinTool, fail
from tether.tools.schema import arguments_schema, nonempty_string

Hit = TypeVar("Hit")
MAX_LIMIT = 100
DEFAULT_MAP_TOKENS = 1024
MAX_MAP_TOKENS = 8192


def _unavailable(index: IndexQuery | None) -> str | None:
    """Why the index cannot answer yet (None: it can, perhaps partially)."""
    if index is None:
        return "the workspace index is not available in this session; use grep or glob instead"
    current = index.status()
    if current.state == "failed":
        why = current.message or "unknown error"
        return f"the workspace index failed ({why}); use grep or glob instead"
    if current.state == "idle" and not current.files:
        return "the workspace index is not built yet; use grep or glob for now"
    return None


def _ready(ctx: ToolContext) -> IndexQuery:
    """The session's index when it can answer; else a ToolError saying why (use grep)."""
    problem = _unavailable(ctx.index)
    if problem or ctx.index is None:
        raise ToolError(problem or "no index")
    return ctx.index


def _query_arguments(argument: str, description: str, hits: str, default: int
                     ) -> dict[str, Any]:
    """A query tool's arguments: the one thing to look for, and how many hits at most."""
    return arguments_schema({
        argument: nonempty_string(description),
        "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                  "description": f"Maximum {hits} (default {default})."},
    }, required=[argument])


def _building_note(index: IndexQuery) -> str:
    current = index.status()
    if current.state == "indexing":
        return (f"\n[the index is still building ({current.files} files so far); results "
                "may be incomplete]")
    return ""


class _HitsTool(BuiltinTool, Generic[Hit]):
    """A query whose hits become one line each: search_code and find_symbol."""

    argument: str  # the required argument: what to look for
    default_limit: int

    async def _query(self, index: IndexQuery, wanted: str, limit: int) -> Sequence[Hit]:
        raise NotImplementedError

    def _nothing(self, wanted: str) -> str:
        raise NotImplementedError

    def _line(self, hit: Hit) -> str:
        raise NotImplementedError

    async def _run(self, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
        index = _ready(ctx)
        wanted = str(args[self.argument])
        limit = max(1, min(int(args.get("limit") or self.default_limit), MAX_LIMIT))
        try:
            hits = await self._query(index, wanted, limit)
        except IndexingError as exc:
            return fail(exc.message)
        lines = [self._line(hit) for hit in hits] or [self._nothing(wanted)]
        return ToolOutcome(
            content="\n".join(lines) + _building_note(index),
            metadata={"results": len(hits)},
        )


class SearchCodeTool(_HitsTool[FileHit]):
    name = "search_code"
    description = (
        "Ranked search of the workspace index for the files a question or task is about: "
        "paths, definitions, identifiers (camelCase/snake_case parts match), text and the "
        "project's commit history. Use words, identifiers or a description of the change, "
        "not regular expressions. Results are files, best first, each followed by its best "
        "lines as '  line: [symbol] text'."
    )
    argument, default_limit = "query", 10
    parameters = _query_arguments(argument, "Words or identifiers.", "files", default_limit)

    def describe_call(self, args: dict[str, Any]) -> str:
        return f"Search the index for {args.get('query', '?')!r}"

    async def _query(self, index: IndexQuery, wanted: str, limit: int) -> list[FileHit]:
        return await index.search_files(wanted, limit)

    def _nothing(self, wanted: str) -> str:
        return f"no results for {wanted!r}"

    def _line(self, hit: FileHit) -> str:
        """A file and, indented below it, its best lines."""
        out = [hit.path]
        for line in hit.lines:
            symbol = f" [{line.symbol}]" if line.symbol else ""
            out.append(f"  {line.line + 1}:{symbol} {line.preview}".rstrip())
        return "\n".join(out)


class FindSymbolTool(_HitsTool[SymbolHit]):
    name = "find_symbol"
    description = (
        "Find where a function, class, method, type or constant is defined, by name "
        "('Name', 'Class.method' or 'ns::name'); exact matches first, then close ones."
    )
    argument, default_limit = "name", 20
    parameters = _query_arguments(argument, "Symbol name.", "results", default_limit)

    def describe_call(self, args: dict[str, Any]) -> str:
        return f"Find the definition of {args.get('name', '?')}"

    async def _query(self, index: IndexQuery, wanted: str, limit: int) -> list[SymbolHit]:
        return await index.find_symbol(wanted, limit)

    def _nothing(self, wanted: str) -> str:
        return f"no definition named {wanted!r}"

    def _line(self, hit: SymbolHit) -> str:
        inside = f" in {hit.container}" if hit.container else ""
        return f"{hit.path}:{hit.line + 1}: {hit.kind} {hit.symbol}{inside}: {hit.preview}"


class RepoMapTool(BuiltinTool):
    name = "repo_map"
    description = (
        "A map of the workspace's most relevant files and their definitions (signature "
        "lines with line numbers), ranked by how the code references itself and biased "
        "toward `focus` files and identifiers; fitted to `budget` tokens."
    )
    parameters = arguments_schema({
        "focus": {
            "type": "array", "items": {"type": "string"},
            "description": "Files (relative paths) or identifiers to center the map on.",
        },
        "budget": {"type": "integer", "minimum": 64, "maximum": MAX_MAP_TOKENS,
                   "description": f"Token budget (default {DEFAULT_MAP_TOKENS})."},
    })

    def describe_call(self, args: dict[str, Any]) -> str:
        return "Map the repository"

    async def _run(self, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
        index = _ready(ctx)
        focus = [str(f) for f in args.get("focus") or []]
        files = [f for f in focus if "/" in f or "." in f]
        names = [f for f in focus if f not in files]
        budget = int(args.get("budget") or DEFAULT_MAP_TOKENS)
        try:
            text = await index.repo_map(files, names, budget)
        except IndexingError as exc:
            return fail(exc.message)
        return ToolOutcome(content=(text or "the repo map is empty") + _building_note(index))


def index_tools() -> list[Tool]:
    """The index tools, for the tool registry."""
    return [SearchCodeTool(), FindSymbolTool(), RepoMapTool()]
