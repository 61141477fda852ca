"""The registry: names, specs for providers, argument validation the model can read."""

from __future__ import annotations

from typing import Any

import pytest

from tether.providers.base import ToolSpec
from tether.tools import ToolRegistry, builtin_tools, default_tools
from tether.tools.base import Tool, ToolContext, ToolOutcome

BUILTIN = ["read_file", "list_dir", "glob", "grep", "edit", "write_file", "run_command"]


def test_default_tools_include_the_builtins() -> None:
    names = [t.name for t in default_tools()]
    assert names[: len(BUILTIN)] == BUILTIN
    assert len(set(names)) == len(names)


def test_flags() -> None:
    tools = {t.name: t for t in builtin_tools()}
    assert {n for n, t in tools.items() if t.read_only} == {"read_file", "list_dir", "glob", "grep"}
    assert {n for n, t in tools.items() if t.needs_permission} == {"run_command"}


def test_tools_satisfy_the_protocol_and_schemas_are_objects() -> None:
    for tool in builtin_tools():
        assert isinstance(tool.describe_call({}), str)
        schema = tool.parameters
        assert schema["type"] == "object"
        assert set(schema["required"]) <= set(schema["properties"])
        for prop in schema["properties"].values():
            assert prop["type"] in ("string", "integer", "number", "boolean")
            assert prop["description"]
        assert tool.description


def test_specs() -> None:
    registry = ToolRegistry(builtin_tools())
    specs = registry.specs()
    assert all(isinstance(s, ToolSpec) for s in specs)
    assert [s.name for s in specs] == BUILTIN
    assert specs[0].parameters is registry["read_file"].parameters


def test_lookup() -> None:
    registry = ToolRegistry()
    assert "edit" in registry and "nope" not in registry
    assert registry.get("nope") is None
    assert registry["grep"].name == "grep"
    assert len(registry) == len(list(registry)) == len(registry.names)


def test_duplicate_names_rejected() -> None:
    with pytest.raises(ValueError, match="two tools are named 'edit'"):
        ToolRegistry([*builtin_tools(), builtin_tools()[4]])


@pytest.mark.parametrize(
    ("name", "args", "error"),
    [
        ("edit", {"path": "a", "new": "b"}, "edit: missing required argument 'old'"),
        ("edit", {"path": "a", "old": None, "new": "b"}, "edit: missing required argument 'old'"),
        ("edit", "not a dict", "edit: arguments must be a JSON object, got a string"),
        ("edit", [], "edit: arguments must be a JSON object, got an array"),
        ("read_file", {"path": 1}, "read_file: argument 'path' must be a string, got an integer"),
        ("read_file", {"path": "a", "startLine": True}, "must be an integer, got a boolean"),
        ("read_file", {"path": "a", "startLine": 1.5}, "must be an integer, got a number"),
        ("read_file", {"path": "a", "foo": 1}, "read_file: unknown argument 'foo' (expected: "
         "path, startLine, endLine)"),
        ("grep", {"pattern": "x", "ignoreCase": 1}, "'ignoreCase' must be a boolean"),
        ("run_command", {"command": "ls", "timeout": "5"}, "'timeout' must be a number"),
        ("nope", {}, "unknown tool 'nope'; available tools: read_file, list_dir"),
    ],
)
def test_validate_errors(name: str, args: Any, error: str) -> None:
    message = ToolRegistry(builtin_tools()).validate(name, args)
    assert message is not None and error in message


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("read_file", {"path": "a"}),
        ("read_file", {"path": "a", "startLine": 2.0, "endLine": None}),
        ("list_dir", {}),
        ("run_command", {"command": "ls", "timeout": 2.5}),
        ("edit", {"path": "a", "old": "x", "new": ""}),
    ],
)
def test_validate_accepts(name: str, args: dict[str, Any]) -> None:
    assert ToolRegistry(builtin_tools()).validate(name, args) is None


class EchoTool:
    name = "echo"
    description = "Echo."
    parameters: dict[str, Any] = {
        "type": "object",
        "properties": {"text": {"type": "string"}},
        "required": ["text"],
    }
    read_only = True
    needs_permission = False

    def describe_call(self, args: dict[str, Any]) -> str:
        return "echo"

    async def run(self, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
        return ToolOutcome(content=args["text"])


def test_custom_tools_can_be_added() -> None:
    registry = ToolRegistry([])
    tool: Tool = EchoTool()
    registry.add(tool)
    assert registry.names == ["echo"]
    assert registry.validate("echo", {"text": "x", "extra": 1}) is None  # extras allowed here


class _Raises:
    name = "raises"
    description = "Raises TimeoutError of its own."
    parameters: dict[str, Any] = {"type": "object", "properties": {}}
    read_only = True
    needs_permission = False

    def describe_call(self, args: dict[str, Any]) -> str:
        return "raises"

    async def run(self, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
        raise TimeoutError("its own")


async def test_run_tool_reports_only_its_own_deadline(tmp_path: Any) -> None:
    """A TimeoutError the tool raised is not passed off as the runner's deadline."""
    from tether.tools.registry import run_tool, time_limit
    from tether.tools.run_command import RunCommandTool
    from tether.workspace.disk_bridge import DiskBridge
    from tether.workspace.folder import WorkspaceFolder

    async def emit(_: str) -> None:
        return None

    ctx = ToolContext(workspace=WorkspaceFolder.at(tmp_path), bridge=DiskBridge(),
                      session_id="s", tool_call_id="c", emit_output=emit, tool_timeout=5.0,
                      command_timeout=300.0)
    with pytest.raises(TimeoutError, match="its own"):
        await run_tool(_Raises(), {}, ctx)
    assert time_limit(_Raises(), {}, ctx) == 5.0
    command = RunCommandTool()
    assert time_limit(command, {"command": "make"}, ctx) > 300.0  # its own, not 5 s
    assert time_limit(command, {"command": "make", "timeout": 2}, ctx) < 300.0
