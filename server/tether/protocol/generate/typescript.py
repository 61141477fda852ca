"""`vscode-client/src/protocol.ts`: TypeScript types of every model, for `tsc --strict`.

Interfaces mirror the JSON Schema (`?` where a field may be omitted), Literal fields
become string-literal unions, `SessionEvent` is a discriminated union on `type`, and
method names / error codes are constants so the client never spells a string twice.
"""

from __future__ import annotations

import json
from typing import Any

from tether import PROTOCOL_VERSION
from tether.protocol.error_codes import ERROR_CODE_DESCRIPTIONS, ErrorCode
from tether.protocol.generate.catalog import (
    NAMED_LITERALS,
    NAMED_UNIONS,
    event_classes,
    method_docs,
    union_members,
)
from tether.protocol.generate.schema import HEADER, Schema


def _pascal(constant: str) -> str:
    return "".join(part.capitalize() for part in constant.lower().split("_"))


def _union_name(schema: Schema) -> str | None:
    refs = sorted(r["$ref"] for r in schema.get("oneOf", []) if "$ref" in r)
    for name, annotated in NAMED_UNIONS.items():
        members = sorted(f"#/$defs/{c.__name__}" for c in union_members(annotated))
        if refs == members:
            return name
    return None


def _literal_name(values: list[Any]) -> str | None:
    for name, named in NAMED_LITERALS.items():
        if sorted(values) == sorted(named):
            return name
    return None


def ts_type(schema: Schema, integer: str = "number") -> str:
    """A schema node as a TypeScript type expression (`integer` names whole numbers)."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return _literal_name(schema["enum"]) or " | ".join(json.dumps(v) for v in schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            name = _union_name(schema) if key == "oneOf" else None
            return name or " | ".join(ts_type(s, integer) for s in schema[key])
    kind = schema.get("type")
    if kind == "string":
        return "string"
    if kind == "integer":
        return integer
    if kind == "number":
        return "number"
    if kind == "boolean":
        return "boolean"
    if kind == "null":
        return "null"
    if kind == "array":
        item = ts_type(schema.get("items", {}), integer)
        return f"({item})[]" if " " in item else f"{item}[]"
    if kind == "object":
        extra = schema.get("additionalProperties", True)
        value = "unknown" if extra is True or extra == {} else ts_type(extra, integer)
        return f"{{ [key: string]: {value} }}"
    return "unknown"


def _doc(text: str, indent: str = "") -> list[str]:
    lines = text.strip().splitlines()
    if len(lines) == 1:
        return [f"{indent}/** {lines[0]} */"]
    return [f"{indent}/**", *(f"{indent} * {line}".rstrip() for line in lines), f"{indent} */"]


def _prop_key(name: str) -> str:
    return name if name.isidentifier() else json.dumps(name)


def _interface(name: str, schema: Schema) -> list[str]:
    out = _doc(schema["description"]) if schema.get("description") else []
    required = set(schema.get("required", []))
    out.append(f"export interface {name} {{")
    for prop, sub in schema.get("properties", {}).items():
        if sub.get("description"):
            out.extend(_doc(sub["description"], "  "))
        mark = "" if prop in required else "?"
        out.append(f"  {_prop_key(prop)}{mark}: {ts_type(sub)};")
    out.append("}")
    return out


def render_typescript(defs: dict[str, Schema]) -> str:
    out = [
        f"// {HEADER}",
        "// Source of truth: server/tether/protocol/*.py (pydantic models).",
        "/* eslint-disable */",
        "",
        f'export const PROTOCOL_VERSION = "{PROTOCOL_VERSION}";',
        "",
    ]
    for name, values in sorted(NAMED_LITERALS.items()):
        out.append(f"export type {name} = {' | '.join(json.dumps(v) for v in values)};")
    out.append("")
    for name in sorted(defs):
        schema = defs[name]
        if name in NAMED_UNIONS:
            members = [ts_type(s) for s in schema["oneOf"]]
            out.append("/** Discriminated on `type`. */")
            out.append(f"export type {name} =")
            out.extend(f"  | {m}" for m in members[:-1])
            out.append(f"  | {members[-1]};")
        else:
            out.extend(_interface(name, schema))
        out.append("")
    events = event_classes()
    out.append('export type SessionEventType = SessionEvent["type"];')
    for label in ("DURABLE", "TERMINAL"):
        types = [
            json.dumps(c.model_fields["type"].default)
            for c in events
            if getattr(c, label.lower())
        ]
        out.append(f"export const {label}_EVENT_TYPES: readonly SessionEventType[] = [")
        out.extend(f"  {t}," for t in types)
        out.append("];")
    out.append("")
    out.append("/** Custom method names. */")
    out.append("export const Method = {")
    docs = method_docs()
    for doc in docs:
        out.append(f"  {_pascal(doc.constant)}: {json.dumps(doc.name)},")
    out.append("} as const;")
    out.append("export type MethodName = (typeof Method)[keyof typeof Method];")
    out.append("")
    for label, pick in (("Params", "params"), ("Result", "result")):
        out.append(f"/** {label} type of each custom method (`void` for notifications). */")
        out.append(f"export interface Method{label}Map {{")
        for doc in docs:
            model = getattr(doc, pick)
            out.append(f"  {json.dumps(doc.name)}: {model.__name__ if model else 'void'};")
        out.append("}")
        out.append("")
    out.append("/** JSON-RPC error codes of Tether's custom methods. */")
    out.append("export enum ErrorCode {")
    for code in ErrorCode:
        out.extend(_doc(ERROR_CODE_DESCRIPTIONS[code], "  "))
        out.append(f"  {_pascal(code.name)} = {int(code)},")
    out.append("}")
    out.append("")
    return "\n".join(out)
