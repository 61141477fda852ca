"""Checking tool arguments against the small JSON Schema subset the tools declare.

Models send wrong arguments all the time; each mistake must come back as one readable
sentence the model can act on ("edit: missing required argument 'old'"), never a raise.
"""

from __future__ import annotations

from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


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
    expected = spec.get("type")
    if isinstance(expected, str) and expected in _TYPES:
        ok = isinstance(value, _TYPES[expected]) and not (
            isinstance(value, bool) and expected in ("integer", "number")
        )
        if expected == "integer" and isinstance(value, float) and value.is_integer():
            ok = True
        if not ok:
            return f"must be {_article(expected)} {expected}, got {_kind(value)}"
    if "enum" in spec and value not in spec["enum"]:
        options = ", ".join(repr(v) for v in spec["enum"])
        return f"must be one of {options}, got {value!r}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in spec and value < spec["minimum"]:
            return f"must be at least {spec['minimum']}, got {value}"
        if "maximum" in spec and value > spec["maximum"]:
            return f"must be at most {spec['maximum']}, got {value}"
    if isinstance(value, str) and "minLength" in spec and len(value) < spec["minLength"]:
        return "must not be empty" if spec["minLength"] == 1 else "is too short"
    return None


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
