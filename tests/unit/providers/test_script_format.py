"""The script format: every key checked, errors naming the key, camelCase or snake_case."""

from __future__ import annotations

import pytest

from tether.providers.script import Script, ScriptError, ToolCallSpec, Turn


def turn(raw: dict[str, object]) -> Turn:
    return Script.from_json({"turns": [raw]}).turns[0]


def test_every_key_sets_its_field_and_round_trips() -> None:
    raw = {
        "text": "hi", "reasoning": "think", "chunkSize": 3, "chunkDelay": 0.5,
        "usage": {"prompt": 4, "completion": 2}, "cachedTokens": 1, "fault": "429",
        "retryAfter": 2, "faultTimes": 2,
        "toolCalls": [{"name": "glob", "arguments": {"pattern": "*"}, "id": "c1"}],
    }
    parsed = turn(raw)
    assert parsed == Turn(text="hi", reasoning="think", chunk_size=3, chunk_delay=0.5,
                          usage=(4, 2), cached_tokens=1, fault="429", retry_after=2.0,
                          fault_times=2, tool_calls=[ToolCallSpec("glob", {"pattern": "*"}, "c1")])
    script = Script([parsed])
    assert Script.from_json(script.to_json()) == script


def test_snake_case_keys_and_a_null_fault() -> None:
    assert turn({"chunk_size": 2, "fault": None, "fault_times": 0}) == Turn(chunk_size=2,
                                                                           fault_times=0)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"txt": "x", "zzz": 1}, "turns[0]: unknown key 'txt'"),
        ({"text": 3}, "turns[0].text: must be a str"),
        ({"chunkSize": 0}, "turns[0].chunkSize: must be an integer >= 1"),
        ({"chunk_delay": -1}, "turns[0].chunkDelay: must be a number of seconds >= 0"),
        ({"fault": "boom"}, "turns[0].fault: 'boom' is not one of"),
        ({"toolCalls": {}}, "turns[0].toolCalls: must be a list"),
        ({"toolCalls": [{"name": ""}]}, "turns[0].toolCalls[0].name: must not be empty"),
        ({"usage": [1]}, "turns[0].usage: must be [prompt, completion] or null"),
        ({"faultTimes": True}, "turns[0].faultTimes: must be an integer >= 0"),
    ],
)
def test_a_bad_value_names_its_key(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ScriptError) as caught:
        turn(raw)
    assert str(caught.value).startswith(message)


def test_defaults_are_left_out_and_no_usage_round_trips() -> None:
    script = Script([Turn(), Turn(text="x", usage=None)], repeat_last=True, title="t")
    assert script.to_json() == {"turns": [{}, {"text": "x", "usage": None}],
                                "repeatLast": True, "title": "t"}
    assert Script.from_json(script.to_json()) == script
