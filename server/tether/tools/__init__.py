"""The agent's tools: reading, searching, editing and running commands in one workspace."""

from tether.tools.base import IndexQuery, Tool, ToolContext, ToolOutcome
from tether.tools.registry import ToolRegistry, builtin_tools, default_tools

__all__ = [
    "IndexQuery",
    "Tool",
    "ToolContext",
    "ToolOutcome",
    "ToolRegistry",
    "builtin_tools",
    "default_tools",
]
