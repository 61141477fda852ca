"""The tool seam: what a tool is, what it gets to run, what it returns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from tether.workspace.bridge import EditorBridge
from tether.workspace.folder import WorkspaceFolder
from tether.workspace.safe_open import DEFAULT_MAX_FILE_BYTES

DEFAULT_GREP_TIMEOUT = 10.0

if TYPE_CHECKING:
    from tether.index.hits import FileHit, SearchHit, SymbolHit
    from tether.protocol.methods import IndexStatusResult


class IndexQuery(Protocol):
    """What tools, mentions and the context builder ask of the workspace index.

    `WorkspaceIndex` is the one implementation; a session may have none (None).
    """

    def status(self) -> IndexStatusResult: ...

    async def search(self, query: str, limit: int = 20) -> list[SearchHit]: ...

    async def search_files(self, query: str, limit: int = 20) -> list[FileHit]: ...

    async def find_symbol(self, name: str, limit: int = 20) -> list[SymbolHit]: ...

    async def match_paths(self, fragment: str, limit: int = 200) -> list[str]: ...

    async def repo_map(
        self,
        focus_files: list[str],
        mentioned: list[str],
        budget_tokens: int,
        query: str = "",
    ) -> str: ...


@dataclass
class ToolContext:
    workspace: WorkspaceFolder
    bridge: EditorBridge
    session_id: str
    tool_call_id: str
    emit_output: Callable[[str], Awaitable[None]]  # streams tool_output_chunk
    index: IndexQuery | None = None
    command_timeout: float = 120.0
    tool_timeout: float = 120.0  # the runner's wall-clock deadline for one call
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES  # settings.max_file_bytes: read/write cap
    grep_timeout: float = DEFAULT_GREP_TIMEOUT  # settings.grep_timeout: one grep, at most


@dataclass
class ToolOutcome:
    content: str  # what goes back to the model
    is_error: bool = False
    diff: str | None = None  # unified diff, for edits
    edited_uri: str | None = None
    edit_applied: bool = False
    edit_rebased: bool = False
    edit_message: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


class Tool(Protocol):
    name: str
    description: str
    parameters: dict[str, Any]  # JSON Schema of the arguments object
    read_only: bool  # read-only calls in one step run in parallel
    needs_permission: bool  # asks the user unless allowed (run_command, writes)

    def describe_call(self, args: dict[str, Any]) -> str:
        """One sentence for the permission prompt."""
        ...

    async def run(self, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
        """Run; bad arguments and failures come back as is_error outcomes, not raises."""
        ...


@runtime_checkable
class SelfTimedTool(Protocol):
    """A tool that enforces its own, longer limit (run_command: the command's timeout).

    The runner then waits `time_limit` seconds instead of `ctx.tool_timeout`, as a
    backstop: the tool is expected to stop its work and answer before that.
    """

    def time_limit(self, args: dict[str, Any], ctx: ToolContext) -> float: ...
