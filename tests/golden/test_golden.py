"""Golden fixtures: the frozen wire format. Each one must round-trip byte-for-byte.

A failure here means a model change altered what goes over the wire: either undo it or,
if the change is intended, edit the fixture by hand and bump the protocol version.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from golden.golden_catalog import GOLDEN_DIR, expected_fixtures
from tether.protocol.events import EVENT_TYPES, parse_event

FIXTURES = sorted(p.name for p in GOLDEN_DIR.glob("*.json"))


def _load(name: str) -> dict[str, object]:
    data = json.loads((GOLDEN_DIR / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_every_method_and_event_has_a_fixture() -> None:
    missing = sorted(set(expected_fixtures()) - set(FIXTURES))
    assert missing == [], f"add golden fixtures (python tests/golden/freeze.py): {missing}"


def test_no_stray_fixtures() -> None:
    assert sorted(set(FIXTURES) - set(expected_fixtures())) == []


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_round_trips_exactly(name: str) -> None:
    model = expected_fixtures()[name]
    original = _load(name)
    assert model.model_validate(original).to_wire() == original


@pytest.mark.parametrize("kind", sorted(EVENT_TYPES))
def test_event_fixture_parses_through_the_union(kind: str) -> None:
    original = _load(f"event.{kind}.json")
    event = parse_event(original)
    assert type(event) is EVENT_TYPES[kind]
    assert event.to_wire() == original


FREE_FORM = {"arguments", "input", "metadata", "_meta"}
"""Fields holding user/model data: their keys are not protocol field names."""


def _field_names(node: object) -> list[str]:
    if isinstance(node, dict):
        out = list(node)
        for key, value in node.items():
            if key not in FREE_FORM:
                out += _field_names(value)
        return out
    if isinstance(node, list):
        return [k for item in node for k in _field_names(item)]
    return []


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_fields_are_camel_case(name: str) -> None:
    snake = [k for k in _field_names(_load(name)) if "_" in k.lstrip("_")]
    assert snake == [], f"snake_case keys on the wire: {snake}"


def test_golden_dir_is_this_directory() -> None:
    assert Path(__file__).parent == GOLDEN_DIR
