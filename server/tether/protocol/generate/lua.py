"""`nvim-client/lua/tether/types.lua`: LuaLS annotations plus the protocol's constants.

The annotations give the Neovim plugin completion and type checks; the returned table
(method names, error codes, event kinds) lets it use the constants at runtime.
"""

from __future__ import annotations

import json
from typing import Any

from tether import PROTOCOL_VERSION
from tether.protocol.error_codes import ErrorCode
from tether.protocol.generate.catalog import flagged_event_types, method_docs
from tether.protocol.generate.schema import HEADER, Schema
from tether.protocol.generate.type_expr import LUA, declarations, type_expr

PREFIX = LUA.prefix


def lua_type(schema: Schema) -> str:
    """A schema node as a LuaLS type expression."""
    return type_expr(schema, LUA)


def _oneline(text: str) -> str:
    return " ".join(text.split())


def _class(name: str, schema: Schema) -> list[str]:
    out = [f"---@class {PREFIX}{name}"]
    if schema.get("description"):
        out.insert(0, f"--- {_oneline(schema['description'])}")
    required = set(schema.get("required", []))
    for prop, sub in schema.get("properties", {}).items():
        mark = "" if prop in required else "?"
        key = prop if prop.isidentifier() else f"[{json.dumps(prop)}]"
        desc = _oneline(sub.get("description", ""))
        out.append(f"---@field {key}{mark} {lua_type(sub)} {desc}".rstrip())
    return out


def _lua_table(entries: list[tuple[str, Any]], indent: str) -> list[str]:
    return [f"{indent}{key} = {json.dumps(value)}," for key, value in entries]


def _alias(name: str, members: list[str]) -> list[str]:
    return [f"---@alias {PREFIX}{name} {'|'.join(members)}"]


def _constants() -> list[str]:
    out = ["local M = {}", "", f"M.PROTOCOL_VERSION = {json.dumps(PROTOCOL_VERSION)}", ""]
    out += ["--- Custom method names.", "M.methods = {"]
    out += _lua_table([(d.constant.lower(), d.name) for d in method_docs()], "  ")
    out += ["}", "", "--- JSON-RPC error codes (see protocol-spec.md).", "M.error_codes = {"]
    out += _lua_table([(code.name.lower(), int(code)) for code in ErrorCode], "  ")
    out += ["}", ""]
    for flag in ("durable", "terminal"):
        out.append(f"--- Event types that are {flag} (a set: type -> true).")
        out.append(f"M.{flag}_events = {{")
        out += [f"  {t} = true," for t in flagged_event_types(flag)]
        out += ["}", ""]
    return out


def render_lua(defs: dict[str, Schema]) -> str:
    out = [f"-- {HEADER}", "-- Source of truth: server/tether/protocol/*.py (pydantic models).", ""]
    out += declarations(defs, LUA, _alias, _alias, _class)
    out += [*_constants(), "return M", ""]
    return "\n".join(out)
