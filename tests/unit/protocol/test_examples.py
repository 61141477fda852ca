"""The spec's examples and the golden fixtures are valid: against their models and the schema."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tether.protocol import methods
from tether.protocol.events import EVENT_TYPES, parse_event
from tether.protocol.generate import SCHEMA_PATH, default_root
from tether.protocol.generate.catalog import method_docs
from tether.protocol.generate.examples import (
    capability_examples,
    event_examples,
    method_examples,
)
from unit.protocol.schema_check import _errors as fallback_errors
from unit.protocol.schema_check import schema_errors

EXAMPLES = method_examples()
EVENTS = event_examples()


def test_every_method_has_an_example_of_the_right_models() -> None:
    assert set(EXAMPLES) == set(methods.METHOD_PARAMS)
    for name, (params_cls, result_cls) in methods.METHOD_PARAMS.items():
        params, result = EXAMPLES[name]
        assert type(params) is params_cls
        assert (result is None) == (result_cls is None)
        if result is not None:
            assert type(result) is result_cls


def test_every_event_type_has_an_example() -> None:
    assert set(EVENTS) == set(EVENT_TYPES)
    for kind, event in EVENTS.items():
        assert type(event) is EVENT_TYPES[kind]


@pytest.mark.parametrize("method", sorted(EXAMPLES))
def test_method_example_round_trips_through_its_models(method: str) -> None:
    params_cls, result_cls = methods.METHOD_PARAMS[method]
    params, result = EXAMPLES[method]
    assert params_cls.model_validate(params.to_wire()).to_wire() == params.to_wire()
    if result is not None and result_cls is not None:
        assert result_cls.model_validate(result.to_wire()).to_wire() == result.to_wire()


@pytest.mark.parametrize("kind", sorted(EVENTS))
def test_event_example_round_trips_through_the_union(kind: str) -> None:
    wire = EVENTS[kind].to_wire()
    assert parse_event(wire).to_wire() == wire


def test_every_method_has_a_summary_and_a_direction() -> None:
    docs = {d.name: d for d in method_docs()}
    assert set(docs) == set(methods.METHOD_PARAMS)
    assert docs[methods.SESSION_EVENT].direction == "server → client"
    assert docs[methods.SESSION_EVENT].kind == "notification"
    assert docs[methods.PERMISSION_REQUEST].direction == "server → client"
    assert docs[methods.SESSION_PROMPT].direction == "client → server"


def _wire_examples() -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for params, result in EXAMPLES.values():
        out.append((type(params).__name__, params.to_wire()))
        if result is not None:
            out.append((type(result).__name__, result.to_wire()))
    out += [(type(e).__name__, e.to_wire()) for e in EVENTS.values()]
    out += [("SessionEvent", e.to_wire()) for e in EVENTS.values()]
    out += [(type(c).__name__, c.to_wire()) for c in capability_examples()]
    return out


@pytest.mark.parametrize(("model", "wire"), _wire_examples())
def test_examples_validate_against_the_json_schema(model: str, wire: dict[str, Any]) -> None:
    assert schema_errors(model, wire) == []


@pytest.mark.parametrize(("model", "wire"), _wire_examples())
def test_fallback_validator_accepts_the_examples_too(model: str, wire: dict[str, Any]) -> None:
    assert fallback_errors({"$ref": f"#/$defs/{model}"}, wire, "$") == []


BAD = [
    ("SessionEvent", {"sessionId": "s", "seq": 1, "time": "t", "type": "no_such_event"}),
    ("PromptParams", {"text": "hi"}),  # sessionId missing
    ("PromptParams", {"sessionId": 3, "text": "hi"}),
    ("ListSessionsParams", {"folderUri": "file:///x", "limit": 0}),
    ("RenameParams", {"sessionId": "s", "title": ""}),
    ("TextDelta", {"sessionId": "s", "seq": 1, "time": "t", "type": "text_delta", "text": "x"}),
    ("TurnResult", {"sessionId": "s", "turnId": "t", "status": "done", "text": "", "reason": "",
                    "usage": {}}),
]


@pytest.mark.parametrize(("model", "wire"), BAD)
def test_schema_rejects_what_the_models_reject(model: str, wire: dict[str, Any]) -> None:
    assert schema_errors(model, wire) != []
    assert fallback_errors({"$ref": f"#/$defs/{model}"}, wire, "$") != []


def test_schema_on_disk_is_valid_json_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema not installed")
    on_disk = json.loads((default_root() / SCHEMA_PATH).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(on_disk)
