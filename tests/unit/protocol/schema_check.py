"""Validate JSON against the generated protocol schema, with or without `jsonschema`.

`jsonschema` (Draft 2020-12) is used when installed. Otherwise a small validator covers
exactly the keywords the generator emits ($ref, const, enum, type, properties,
required, additionalProperties, items, anyOf, oneOf, minimum/maximum, minLength), so
the conformance tests still run on a machine with only the dev extras.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from tether.protocol.generate.schema import protocol_schema

try:  # the real validator, when available
    import jsonschema
except ImportError:  # pragma: no cover - depends on the environment
    jsonschema = None

Schema = dict[str, Any]

_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


@functools.cache
def _defs() -> dict[str, Schema]:
    defs: dict[str, Schema] = protocol_schema()["$defs"]
    return defs


def _errors(schema: Schema, value: Any, path: str) -> list[str]:
    if "$ref" in schema:
        return _errors(_defs()[str(schema["$ref"]).rsplit("/", 1)[-1]], value, path)
    if "const" in schema and value != schema["const"]:
        return [f"{path}: {value!r} is not {schema['const']!r}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{path}: {value!r} is not one of {schema['enum']}"]
    if "anyOf" in schema and all(_errors(s, value, path) for s in schema["anyOf"]):
        return [f"{path}: {value!r} matches no anyOf branch"]
    if "oneOf" in schema:
        matching = [s for s in schema["oneOf"] if not _errors(s, value, path)]
        if len(matching) != 1:
            return [f"{path}: {value!r} matches {len(matching)} oneOf branches, not 1"]
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind else []
    if kinds and not any(_TYPES[k](value) for k in kinds):
        return [f"{path}: {value!r} is not of type {kind}"]
    out: list[str] = []
    if isinstance(value, dict):
        props = schema.get("properties", {})
        out += [f"{path}: missing {name!r}" for name in schema.get("required", [])
                if name not in value]
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in props:
                out += _errors(props[key], item, f"{path}.{key}")
            elif extra is False:
                out.append(f"{path}: unexpected {key!r}")
            elif isinstance(extra, dict):
                out += _errors(extra, item, f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            out += _errors(schema["items"], item, f"{path}[{i}]")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            out.append(f"{path}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            out.append(f"{path}: {value} > {schema['maximum']}")
    if isinstance(value, str) and len(value) < schema.get("minLength", 0):
        out.append(f"{path}: shorter than {schema['minLength']}")
    return out


def schema_errors(model: str, value: Any) -> list[str]:
    """Every way `value` breaks the `$defs[model]` schema (empty when it conforms)."""
    if jsonschema is not None:
        validator = _validator(model)
        return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(value)]
    return _errors({"$ref": f"#/$defs/{model}"}, value, "$")


@functools.cache
def _validator(model: str) -> Any:
    assert jsonschema is not None
    schema = {"$ref": f"#/$defs/{model}", "$defs": _defs()}
    return jsonschema.Draft202012Validator(schema)
