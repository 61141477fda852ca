"""Params in, results out: plain JSON data at the edge, pydantic models inside.

pygls hands custom-method params over as whatever its JSON decoding produced (dicts
today; attrs objects or namedtuples in other versions and for typed methods), and it
serializes results through cattrs, which does not know pydantic. So every handler turns
params into plain data and validates them with the protocol model, and returns
`model.to_wire()`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, TypeVar

import attrs
from pydantic import BaseModel, ValidationError

from tether.lsp.errors import validation_error

M = TypeVar("M", bound=BaseModel)


def plain(value: Any) -> Any:
    """JSON-like data from dicts, lists, attrs objects and namedtuples (recursively)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if attrs.has(type(value)):
        return {f.name: plain(getattr(value, f.name)) for f in attrs.fields(type(value))}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    return value


def parse_params(model: type[M], raw: Any, method: str) -> M:
    """Validate `raw` into `model`; InvalidParamsError naming each bad field otherwise."""
    data = plain(raw)
    try:
        return model.model_validate({} if data is None else data)
    except ValidationError as exc:
        raise validation_error(exc, method) from None
