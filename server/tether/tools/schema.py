"""Checking tool arguments against the small JSON Schema subset the tools declare.

Models send wrong arguments all the time; each mistake must come back as one readable
sentence the model can act on ("edit: missing required argument 'old'"), never a raise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def arguments_schema(properties: dict[str, dict[str, Any]],
                     required: Sequence[str] = ()) -> dict[str, Any]:
    """A tool's arguments: a JSON object of these properties and no others."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


def nonempty_string(description: str) -> dict[str, Any]:
    """A string argument the tool cannot do without an empty one of (a pattern, a command)."""
    return {"type": "string", "minLength": 1, "description": description}


def check_arguments(tool: str, schema: dict[str, Any], args: Any) -> str | None:
    """A readable error for the first problem with `args`, or None when they fit `schema`."""
    if not isinstance(args, dict):
        return f"{tool}: arguments must be a JSON object, got {_kind(args)}"
    props: dict[str, Any] = schema.get("properties", {})
    for name in schema.get("required", []):
        if args.get(name) is None:
            return f"{tool}: missing required argument {name!r}"
    if schema.get("additionalProperties") is False:
        unknown = sorted(set(args) - set(props))
        if unknown:
            expected = ", ".join(props) or "none"
            return f"{tool}: unknown argument {unknown[0]!r} (expected: {expected})"
    for name, value in args.items():
        spec = props.get(name)
        if spec is None or value is None:
            continue
        problem = _check_value(value, spec)
        if problem:
            return f"{tool}: argument {name!r} {problem}"
    return None


def _check_value(value: Any, spec: dict[str, Any]) -> str | None:
    """The first of the declared constraints `value` breaks, as the end of a sentence."""
    for check in (_type_problem, _enum_problem, _range_problem, _length_problem):
        problem = check(value, spec)
        if problem:
            return problem
    return None


def _type_problem(value: Any, spec: dict[str, Any]) -> str | None:
    expected = spec.get("type")
    if not isinstance(expected, str) or expected not in _TYPES:
        return None
    if _has_type(value, expected):
        return None
    return f"must be {_article(expected)} {expected}, got {_kind(value)}"


def _has_type(value: Any, expected: str) -> bool:
    """JSON's view: a boolean is no number, and 3.0 is an integer."""
    if isinstance(value, bool):
        return expected == "boolean"
    if expected == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES[expected])


def _enum_problem(value: Any, spec: dict[str, Any]) -> str | None:
    if "enum" not in spec or value in spec["enum"]:
        return None
    options = ", ".join(repr(v) for v in spec["enum"])
    return f"must be one of {options}, got {value!r}"


def _range_problem(value: Any, spec: dict[str, Any]) -> str | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    if "minimum" in spec and value < spec["minimum"]:
        return f"must be at least {spec['minimum']}, got {value}"
    if "maximum" in spec and value > spec["maximum"]:
        return f"must be at most {spec['maximum']}, got {value}"
    return None


def _length_problem(value: Any, spec: dict[str, Any]) -> str | None:
    if not isinstance(value, str) or "minLength" not in spec or len(value) >= spec["minLength"]:
        return None
    return "must not be empty" if spec["minLength"] == 1 else "is too short"


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _kind(value: Any) -> str:
    names = {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "an object",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)
