"""`protocol-spec.md`: the protocol for humans, generated from the same models.

The prose rules (transport, seq, coalescing, replay, cancel, permissions) live here as
text; every table and example is derived from the models and `examples.py`, so the
document cannot disagree with the code for long: a test fails on drift.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from tether import PROTOCOL_VERSION
from tether.protocol.base import WireModel
from tether.protocol.error_codes import ERROR_CODE_DESCRIPTIONS, ErrorCode
from tether.protocol.events import EventBase
from tether.protocol.generate import prose
from tether.protocol.generate.catalog import NAMED_UNIONS, event_classes, method_docs
from tether.protocol.generate.examples import (
    capability_examples,
    event_examples,
    method_examples,
)
from tether.protocol.generate.schema import HEADER, Schema
from tether.protocol.generate.type_expr import TYPESCRIPT, type_expr
from tether.protocol.generate.typescript import ts_type
from tether.protocol.models import (
    MAX_AGENT_CHARS,
    MAX_MESSAGE_BYTES,
    MAX_MODEL_CHARS,
    MAX_TITLE_CHARS,
)


def _json(value: Any) -> list[str]:
    return ["```json", json.dumps(value, indent=2, ensure_ascii=False), "```"]


_SPEC_TYPES = replace(TYPESCRIPT, scalars={**TYPESCRIPT.scalars, "integer": "integer"})
"""TypeScript spelling, but whole numbers say so: the spec's field tables are for people."""


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def fields_table(schema: Schema, skip: frozenset[str] = frozenset()) -> list[str]:
    """A readable table of a model's fields: name, type, required, description."""
    props = {k: v for k, v in schema.get("properties", {}).items() if k not in skip}
    if not props:
        return ["*No fields* (besides the optional `_meta`)." if not skip else "*No own fields.*"]
    required = set(schema.get("required", []))
    out = ["| Field | Type | Required | Description |", "|---|---|---|---|"]
    for name, sub in props.items():
        desc = sub.get("description", "")
        optional = name not in required
        if optional and "default" in sub and sub["default"] is not None:
            desc = f"{desc} Default `{json.dumps(sub['default'])}`."
        kind = _cell(type_expr(sub, _SPEC_TYPES))
        out.append(f"| `{name}` | `{kind}` | {'no' if optional else 'yes'} | {_cell(desc)} |")
    return out


def _anchor(name: str) -> str:
    return "#" + name.lower().replace("/", "").replace(" ", "-").replace("`", "")


def _model_link(model: type[WireModel] | None) -> str:
    return "—" if model is None else f"[`{model.__name__}`](#{model.__name__.lower()})"


def _methods(defs: dict[str, Schema]) -> list[str]:
    examples = method_examples()
    out = ["## Methods", "", "| Method | Direction | Kind | Params | Result |"]
    out.append("|---|---|---|---|---|")
    docs = method_docs()
    for doc in docs:
        out.append(
            f"| [`{doc.name}`]({_anchor(doc.name)}) | {doc.direction} | {doc.kind} "
            f"| {_model_link(doc.params)} | {_model_link(doc.result)} |"
        )
    for ident, doc in enumerate(docs, start=1):
        params, result = examples[doc.name]
        out += ["", f"### `{doc.name}`", "", f"*{doc.direction} {doc.kind}.* {doc.summary}", ""]
        out += [f"**Params** — `{doc.params.__name__}`", ""]
        out += fields_table(defs[doc.params.__name__])
        message: dict[str, Any] = {"jsonrpc": "2.0"}
        if doc.result is not None:
            message["id"] = ident
        message |= {"method": doc.name, "params": params.to_wire()}
        out += ["", "Example:", "", *_json(message)]
        if doc.result is not None and result is not None:
            out += ["", f"**Result** — `{doc.result.__name__}`", ""]
            out += fields_table(defs[doc.result.__name__])
            reply = {"jsonrpc": "2.0", "id": ident, "result": result.to_wire()}
            out += ["", "Example:", "", *_json(reply)]
        if doc.errors:
            codes = ", ".join(f"[`{c.name}`](#errors) ({int(c)})" for c in doc.errors)
            out += ["", f"**Errors:** {codes}."]
    return out


def _events(defs: dict[str, Schema]) -> list[str]:
    examples = event_examples()
    base = frozenset(defs["EventBase"]["properties"])
    out = ["## Session events", "", prose.EVENTS, "", "Fields every event carries:", ""]
    out += fields_table(defs["EventBase"])
    out += ["", "| `type` | Event | Durable | Terminal | What it says |", "|---|---|---|---|---|"]
    classes: list[type[EventBase]] = event_classes()
    for cls in classes:
        kind = cls.model_fields["type"].default
        desc = _cell(defs[cls.__name__].get("description", ""))
        out.append(
            f"| [`{kind}`](#{cls.__name__.lower()}) | `{cls.__name__}` "
            f"| {'yes' if cls.durable else 'no'} | {'yes' if cls.terminal else 'no'} | {desc} |"
        )
    for cls in classes:
        kind = cls.model_fields["type"].default
        schema = defs[cls.__name__]
        flags = ("durable" if cls.durable else "transient") + (", terminal" if cls.terminal else "")
        out += ["", f"### {cls.__name__}", "", f"`type: \"{kind}\"` — *{flags}.*"]
        if schema.get("description"):
            out += ["", schema["description"]]
        out += ["", *fields_table(schema, skip=base | {"type"}), "", "Example:", ""]
        out += _json(examples[kind].to_wire())
    return out


def _capabilities(defs: dict[str, Schema]) -> list[str]:
    client, server = capability_examples()
    out = ["## Capabilities", "", prose.CAPABILITIES, ""]
    out += ["### Client → server: `TetherClientCapabilities`", ""]
    out += fields_table(defs["TetherClientCapabilities"])
    init = {"capabilities": {"experimental": {"tether": client.to_wire()}}}
    out += ["", "In the `initialize` params:", "", *_json(init)]
    out += ["", "### Server → client: `TetherServerCapabilities`", ""]
    out += fields_table(defs["TetherServerCapabilities"])
    reply = {"capabilities": {"experimental": {"tether": server.to_wire()}}}
    out += ["", "In the `initialize` result:", "", *_json(reply)]
    return out


def _errors() -> list[str]:
    out = ["## Errors", "", prose.ERRORS, "", "| Code | Name | Meaning |", "|---|---|---|"]
    for code in ErrorCode:
        out.append(f"| {int(code)} | `{code.name}` | {_cell(ERROR_CODE_DESCRIPTIONS[code])} |")
    return out


def _types(defs: dict[str, Schema], documented: set[str]) -> list[str]:
    out = ["## Types", "", "Every other model the messages above refer to.", ""]
    for name in sorted(defs):
        if name in documented:
            continue
        schema = defs[name]
        out += [f"### {name}", ""]
        if name in NAMED_UNIONS:
            members = " \\| ".join(f"`{ts_type(s)}`" for s in schema["oneOf"])
            out += [f"One of {members}, discriminated on `type`.", ""]
            continue
        if schema.get("description"):
            out += [schema["description"], ""]
        out += [*fields_table(schema), ""]
    return out


def render_markdown(defs: dict[str, Schema]) -> str:
    documented = {c.__name__ for c in event_classes()} | {"EventBase", "WireModel"}
    out = [
        f"<!-- {HEADER} -->",
        "",
        f"# Tether protocol {PROTOCOL_VERSION}",
        "",
        prose.OVERVIEW.format(version=PROTOCOL_VERSION),
        "",
        prose.REMOTE,
        "",
        *_capabilities(defs),
        "",
        *_methods(defs),
        "",
        *_events(defs),
        "",
        prose.SEQUENCING,
        "",
        prose.WINDOWS,
        "",
        prose.CANCELLATION,
        "",
        prose.PERMISSIONS,
        "",
        *_errors(),
        "",
        prose.FRAMING.format(max_body=MAX_MESSAGE_BYTES, max_title=MAX_TITLE_CHARS,
                             max_model=MAX_MODEL_CHARS, max_agent=MAX_AGENT_CHARS),
        "",
        *_types(defs, documented),
    ]
    return "\n".join(out).rstrip() + "\n"
