"""A JSON Schema node as a type expression of a target language (TypeScript, LuaLS).

Both client stubs walk the same schema in the same way: references and named unions or
literals become a name, other unions are joined, arrays and maps wrap their item. Only
the spelling differs, so one walk takes a `Dialect` that holds it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tether.protocol.generate.catalog import NAMED_LITERALS, NAMED_UNIONS, union_members
from tether.protocol.generate.schema import Schema


@dataclass(frozen=True)
class Dialect:
    """How one language spells the shapes a schema node can take."""

    prefix: str
    """Put before a model's or named type's name (`tether.` for LuaLS)."""
    scalars: dict[str, str]
    """JSON Schema `type` → the language's type."""
    unknown: str
    """The type of anything (`unknown`, `any`)."""
    separator: str
    """Between the members of a union."""
    null_last: bool
    """Move `null` out of a union and append `nil` (LuaLS) instead of keeping it in place."""
    array_parens: str
    """An array's item type containing this is parenthesised before `[]`."""
    mapping: str
    """A string-keyed map, with `{value}` for the value type."""


_SAME = {"string": "string", "number": "number", "boolean": "boolean"}

TYPESCRIPT = Dialect("", {**_SAME, "integer": "number", "null": "null"}, "unknown", " | ",
                     null_last=False, array_parens=" ", mapping="{{ [key: string]: {value} }}")

LUA = Dialect("tether.", {**_SAME, "integer": "integer", "null": "nil"}, "any", "|",
              null_last=True, array_parens="|", mapping="table<string, {value}>")


def union_name(schema: Schema) -> str | None:
    """The name of the named union whose members a `oneOf` lists, if it is one."""
    refs = sorted(r["$ref"] for r in schema.get("oneOf", []) if "$ref" in r)
    for name, annotated in NAMED_UNIONS.items():
        members = sorted(f"#/$defs/{c.__name__}" for c in union_members(annotated))
        if refs == members:
            return name
    return None


def literal_name(values: list[Any]) -> str | None:
    """The name of the closed string set an `enum` lists, if it has one."""
    for name, named in NAMED_LITERALS.items():
        if sorted(values) == sorted(named):
            return name
    return None


def type_expr(schema: Schema, dialect: Dialect) -> str:
    """A schema node as a type expression in `dialect`."""
    if "$ref" in schema:
        return dialect.prefix + str(schema["$ref"]).rsplit("/", 1)[-1]
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return _enum(schema["enum"], dialect)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            name = union_name(schema) if key == "oneOf" else None
            return dialect.prefix + name if name else _union(schema[key], dialect)
    return _typed(schema, dialect)


def _enum(values: list[Any], dialect: Dialect) -> str:
    name = literal_name(values)
    return dialect.prefix + name if name else dialect.separator.join(json.dumps(v) for v in values)


def _union(members: list[Schema], dialect: Dialect) -> str:
    if not dialect.null_last:
        return dialect.separator.join(type_expr(s, dialect) for s in members)
    parts = [type_expr(s, dialect) for s in members if s.get("type") != "null"]
    if len(parts) < len(members):
        parts.append(dialect.scalars["null"])
    return dialect.separator.join(parts)


def _typed(schema: Schema, dialect: Dialect) -> str:
    kind = schema.get("type")
    if isinstance(kind, str) and kind in dialect.scalars:
        return dialect.scalars[kind]
    if kind == "array":
        item = type_expr(schema.get("items", {}), dialect)
        return f"({item})[]" if dialect.array_parens in item else f"{item}[]"
    if kind == "object":
        extra = schema.get("additionalProperties", True)
        value = dialect.unknown if extra is True or extra == {} else type_expr(extra, dialect)
        return dialect.mapping.format(value=value)
    return dialect.unknown


def declarations(
    defs: dict[str, Schema],
    dialect: Dialect,
    literal: Callable[[str, list[str]], list[str]],
    union: Callable[[str, list[str]], list[str]],
    model: Callable[[str, Schema], list[str]],
) -> list[str]:
    """Every named literal set, then every model or named union by name, as declarations.

    `literal` and `union` get a name and its members spelled in `dialect`; `model` gets a
    model's schema. A blank line follows the literal sets and each declaration.
    """
    out: list[str] = []
    for name, values in sorted(NAMED_LITERALS.items()):
        out += literal(name, [json.dumps(v) for v in values])
    out.append("")
    for name in sorted(defs):
        schema = defs[name]
        if name in NAMED_UNIONS:
            out += union(name, [type_expr(s, dialect) for s in schema["oneOf"]])
        else:
            out += model(name, schema)
        out.append("")
    return out
