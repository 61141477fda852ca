"""`vscode-client/src/protocol.ts`: TypeScript types of every model, for `tsc --strict`.

Interfaces mirror the JSON Schema (`?` where a field may be omitted), Literal fields
become string-literal unions, `SessionEvent` is a discriminated union on `type`, and
method names / error codes are constants so the client never spells a string twice.
"""

from __future__ import annotations

import json

from tether import PROTOCOL_VERSION
from tether.protocol.error_codes import ERROR_CODE_DESCRIPTIONS, ErrorCode
from tether.protocol.generate.catalog import flagged_event_types, method_docs
from tether.protocol.generate.schema import HEADER, Schema
from tether.protocol.generate.type_expr import TYPESCRIPT, declarations, type_expr


def _pascal(constant: str) -> str:
    return "".join(part.capitalize() for part in constant.lower().split("_"))


def ts_type(schema: Schema) -> str:
    """A schema node as a TypeScript type expression."""
    return type_expr(schema, TYPESCRIPT)


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


def _literal(name: str, values: list[str]) -> list[str]:
    return [f"export type {name} = {' | '.join(values)};"]


def _union(name: str, members: list[str]) -> list[str]:
    return [
        "/** Discriminated on `type`. */",
        f"export type {name} =",
        *(f"  | {m}" for m in members[:-1]),
        f"  | {members[-1]};",
    ]


def _event_sets() -> list[str]:
    out = ['export type SessionEventType = SessionEvent["type"];']
    for flag in ("durable", "terminal"):
        out.append(f"export const {flag.upper()}_EVENT_TYPES: readonly SessionEventType[] = [")
        out.extend(f"  {json.dumps(t)}," for t in flagged_event_types(flag))
        out.append("];")
    return [*out, ""]


def _methods() -> list[str]:
    docs = method_docs()
    out = ["/** Custom method names. */", "export const Method = {"]
    out.extend(f"  {_pascal(doc.constant)}: {json.dumps(doc.name)}," for doc in docs)
    out += ["} as const;", "export type MethodName = (typeof Method)[keyof typeof Method];", ""]
    for label, pick in (("Params", "params"), ("Result", "result")):
        out.append(f"/** {label} type of each custom method (`void` for notifications). */")
        out.append(f"export interface Method{label}Map {{")
        for doc in docs:
            model = getattr(doc, pick)
            out.append(f"  {json.dumps(doc.name)}: {model.__name__ if model else 'void'};")
        out += ["}", ""]
    return out


def _error_codes() -> list[str]:
    out = ["/** JSON-RPC error codes of Tether's custom methods. */", "export enum ErrorCode {"]
    for code in ErrorCode:
        out.extend(_doc(ERROR_CODE_DESCRIPTIONS[code], "  "))
        out.append(f"  {_pascal(code.name)} = {int(code)},")
    return [*out, "}", ""]


def render_typescript(defs: dict[str, Schema]) -> str:
    out = [
        f"// {HEADER}",
        "// Source of truth: server/tether/protocol/*.py (pydantic models).",
        "/* eslint-disable */",
        "",
        f'export const PROTOCOL_VERSION = "{PROTOCOL_VERSION}";',
        "",
    ]
    out += declarations(defs, TYPESCRIPT, _literal, _union, _interface)
    out += _event_sets() + _methods() + _error_codes()
    return "\n".join(out)
