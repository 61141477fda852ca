"""`protocol-spec.md` documents every method, event type, error code and rule."""

from __future__ import annotations

import json
import re

from tether.protocol import methods
from tether.protocol.error_codes import ErrorCode
from tether.protocol.events import EVENT_TYPES
from tether.protocol.generate import SPEC_PATH, render_all

SPEC = render_all()[SPEC_PATH]


def _section(title: str) -> str:
    start = SPEC.index(f"\n### {title}\n")
    end = SPEC.find("\n### ", start + 1)
    return SPEC[start : end if end > 0 else None]


def test_every_method_has_a_section_with_params_result_and_example() -> None:
    for name, (params, result) in methods.METHOD_PARAMS.items():
        body = _section(f"`{name}`")
        assert f"**Params** — `{params.__name__}`" in body
        assert "| Field | Type | Required | Description |" in body
        if result is not None:
            assert f"**Result** — `{result.__name__}`" in body
        blocks = re.findall(r"```json\n(.*?)\n```", body, re.S)
        request = json.loads(blocks[0])
        assert request["method"] == name
        assert ("id" in request) == (result is not None)
        params.model_validate(request["params"])
        if result is not None:
            result.model_validate(json.loads(blocks[1])["result"])


def test_every_event_type_has_a_section_with_flags_and_a_valid_example() -> None:
    for kind, cls in EVENT_TYPES.items():
        body = _section(cls.__name__)
        flags = ("durable" if cls.durable else "transient") + (", terminal" if cls.terminal else "")
        assert f'`type: "{kind}"` — *{flags}.*' in body
        example = json.loads(re.findall(r"```json\n(.*?)\n```", body, re.S)[0])
        assert type(cls.model_validate(example)) is cls
        assert example["type"] == kind


def test_every_error_code_is_listed() -> None:
    for code in ErrorCode:
        assert f"| {int(code)} | `{code.name}` |" in SPEC


def test_rules_are_documented() -> None:
    for needle in (
        "## Ordering, coalescing and replay", "## Cancellation", "## Permissions",
        "window/showMessageRequest", "capabilities.experimental.tether",
        "### Client → server: `TetherClientCapabilities`",
        "### Server → client: `TetherServerCapabilities`", "60 notifications per second",
        "fromSeq", "turn_cancelled",
    ):
        assert needle in " ".join(SPEC.split()), needle
