"""`nvim-client/lua/tether/types.lua`: LuaLS annotations plus the protocol's constants.

The annotations give the Neovim plugin completion and type checks; the returned table
(method names, error codes, event kinds) lets it use the constants at runtime.
"""

from __future__ import annotations

import json
from typing import Any

from tether import PROTOCOL_VERSION
from tether.protocol.error_codes import ErrorCode
from tether.protocol.generate.catalog import (
    NAMED_LITERALS,
    NAMED_UNIONS,
    event_classes,
    method_docs,
)
from tether.protocol.generate.schema import HEADER, Schema
from tether.protocol.generate.typescript import _literal_name, _union_name

PREFIX = "tether."


def lua_type(schema: Schema) -> str:
    """A schema node as a LuaLS type expression."""
    if "$ref" in schema:
        return PREFIX + str(schema["$ref"]).rsplit("/", 1)[-1]
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        name = _literal_name(schema["enum"])
        return PREFIX + name if name else "|".join(json.dumps(v) for v in schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            name = _union_name(schema) if key == "oneOf" else None
            if name:
                return PREFIX + name
            parts = [lua_type(s) for s in schema[key] if s.get("type") != "null"]
            nullable = len(parts) < len(schema[key])
            joined = "|".join(parts)
            return f"{joined}|nil" if nullable else joined
    kind = schema.get("type")
    simple = {"string": "string", "integer": "integer", "number": "number",
              "boolean": "boolean", "null": "nil"}
    if isinstance(kind, str) and kind in simple:
        return simple[kind]
    if kind == "array":
        item = lua_type(schema.get("items", {}))
        return f"({item})[]" if "|" in item else f"{item}[]"
    if kind == "object":
        extra = schema.get("additionalProperties", True)
        value = "any" if extra is True or extra == {} else lua_type(extra)
        return f"table<string, {value}>"
    return "any"


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


def render_lua(defs: dict[str, Schema]) -> str:
    out = [f"-- {HEADER}", "-- Source of truth: server/tether/protocol/*.py (pydantic models).", ""]
    for name, values in sorted(NAMED_LITERALS.items()):
        out.append(f"---@alias {PREFIX}{name} {'|'.join(json.dumps(v) for v in values)}")
    out.append("")
    for name in sorted(defs):
        schema = defs[name]
        if name in NAMED_UNIONS:
            members = "|".join(lua_type(s) for s in schema["oneOf"])
            out.append(f"---@alias {PREFIX}{name} {members}")
        else:
            out.extend(_class(name, schema))
        out.append("")
    events = event_classes()
    out += ["local M = {}", "", f"M.PROTOCOL_VERSION = {json.dumps(PROTOCOL_VERSION)}", ""]
    out.append("--- Custom method names.")
    out.append("M.methods = {")
    out += _lua_table([(d.constant.lower(), d.name) for d in method_docs()], "  ")
    out += ["}", "", "--- JSON-RPC error codes (see protocol-spec.md).", "M.error_codes = {"]
    out += _lua_table([(code.name.lower(), int(code)) for code in ErrorCode], "  ")
    out += ["}", ""]
    for label, attr in (("durable", "durable"), ("terminal", "terminal")):
        out.append(f"--- Event types that are {label} (a set: type -> true).")
        out.append(f"M.{label}_events = {{")
        out += [
            f"  {c.model_fields['type'].default} = true,"
            for c in events
            if getattr(c, attr)
        ]
        out += ["}", ""]
    out += ["return M", ""]
    return "\n".join(out)
