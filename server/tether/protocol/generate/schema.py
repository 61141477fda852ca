"""The combined JSON Schema: every model under `$defs`, plus methods and error codes.

Pydantic writes the model schemas (serialization mode, by alias); this module only
tidies them (drops per-property titles, which repeat the name) and states two facts
pydantic cannot see: a `type` discriminator is required on the wire, and whether an
event is durable / terminal.
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from tether import PROTOCOL_VERSION
from tether.protocol.error_codes import ERROR_CODE_DESCRIPTIONS, ErrorCode
from tether.protocol.generate.catalog import (
    NAMED_UNIONS,
    all_models,
    event_classes,
    method_docs,
    union_members,
)

Schema = dict[str, Any]
REF = "#/$defs/{model}"
HEADER = "generated — do not edit: python -m tether.protocol.generate"


def _tidy(node: Any) -> None:
    """Drop property titles, recursively; mark `const` properties required."""
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            for prop in props.values():
                if isinstance(prop, dict):
                    prop.pop("title", None)
                    if "const" in prop:
                        prop.setdefault("description", f"Always `{prop['const']}`.")
            consts = [name for name, prop in props.items() if "const" in prop]
            if consts:
                required = list(node.get("required", []))
                node["required"] = required + [c for c in consts if c not in required]
        for value in node.values():
            _tidy(value)
    elif isinstance(node, list):
        for item in node:
            _tidy(item)


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {str(node["$ref"]).rsplit("/", 1)[-1]} if "$ref" in node else set()
        for value in node.values():
            found |= _refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(_refs(item) for item in node)) if node else set()
    return set()


def _reachable(defs: dict[str, Schema], roots: set[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(_refs(defs[name]) - seen)
    return seen


def server_only(defs: dict[str, Schema]) -> set[str]:
    """Models only the server sends (results, events, server→client params)."""
    server = {"TetherServerCapabilities", "EventBase"} | {c.__name__ for c in event_classes()}
    client = {"TetherClientCapabilities"}
    for doc in method_docs():
        sent, answered = (client, server) if doc.direction.startswith("client") else (
            server, client)
        sent.add(doc.params.__name__)
        if doc.result is not None:
            answered.add(doc.result.__name__)
    return _reachable(defs, server) - _reachable(defs, client)


def _require_output_defaults(schema: Schema) -> None:
    """A server-sent field with a non-null default is always on the wire: say so.

    `to_wire()` drops only None values, so a field whose default is not None (or that
    has a default factory) is always present in what the server sends.
    """
    required = list(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        if name not in required and prop.get("default", ...) is not None:
            required.append(name)
    schema["required"] = required


def _union_def(annotated: Any) -> Schema:
    members = union_members(annotated)
    return {
        "oneOf": [{"$ref": REF.format(model=c.__name__)} for c in members],
        "discriminator": {
            "propertyName": "type",
            "mapping": {
                c.model_fields["type"].default: REF.format(model=c.__name__) for c in members
            },
        },
    }


def model_defs() -> dict[str, Schema]:
    """`$defs` of every model and named union, keyed by class name."""
    models = all_models()
    _, top = models_json_schema(
        [(cls, "serialization") for cls in models], by_alias=True, ref_template=REF
    )
    defs: dict[str, Schema] = top["$defs"]
    missing = {cls.__name__ for cls in models} - set(defs)
    if missing:
        raise ValueError(f"pydantic renamed protocol models: {sorted(missing)}")
    for name, annotated in NAMED_UNIONS.items():
        defs[name] = _union_def(annotated)
    for cls in event_classes():
        defs[cls.__name__]["x-durable"] = cls.durable
        defs[cls.__name__]["x-terminal"] = cls.terminal
    for name in sorted(server_only(defs)):
        if "properties" in defs[name]:
            _require_output_defaults(defs[name])
    _tidy(defs)
    return defs


def protocol_schema() -> Schema:
    """The whole protocol as one JSON document."""
    methods: dict[str, Any] = {}
    for doc in method_docs():
        c2s = doc.direction.startswith("client")
        result = None if doc.result is None else {"$ref": REF.format(model=doc.result.__name__)}
        methods[doc.name] = {
            "direction": "clientToServer" if c2s else "serverToClient",
            "kind": doc.kind,
            "params": {"$ref": REF.format(model=doc.params.__name__)},
            "result": result,
            "errors": [int(code) for code in doc.errors],
            "description": doc.summary,
        }
    return {
        "$comment": HEADER,
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Tether protocol",
        "version": PROTOCOL_VERSION,
        "x-methods": methods,
        "x-errorCodes": {
            code.name: {"code": int(code), "description": ERROR_CODE_DESCRIPTIONS[code]}
            for code in ErrorCode
        },
        "$defs": model_defs(),
    }
