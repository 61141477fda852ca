"""The scripted provider server speaks both wire formats and plays its faults."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from tether.testing.provider_server import (
    Script,
    ScriptedProviderServer,
    ScriptError,
    Turn,
    text_turn,
    tool_turn,
)


def _data_lines(text: str) -> list[str]:
    return [line[6:] for line in text.splitlines() if line.startswith("data: ")]


def test_openai_stream_carries_text_tool_fragments_usage_and_done() -> None:
    script = Script(
        [
            text_turn("Hello world", chunk_size=4),
            tool_turn("edit", {"path": "a.py", "old": "x", "new": "y"}, chunk_size=5),
        ]
    )
    with ScriptedProviderServer(script) as srv, httpx.Client() as client:
        body = {"model": "m", "stream": True, "stream_options": {"include_usage": True}}
        first = client.post(f"{srv.openai_base_url}/chat/completions", json=body)
        second = client.post(f"{srv.openai_base_url}/chat/completions", json=body)
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/event-stream")
    data = _data_lines(first.text)
    assert data[-1] == "[DONE]"
    chunks = [json.loads(d) for d in data[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == "Hello world"
    assert chunks[-1]["usage"]["total_tokens"] == 20
    fragments = [json.loads(d) for d in _data_lines(second.text)[:-1]]
    calls = [
        c["choices"][0]["delta"]["tool_calls"][0]
        for c in fragments
        if c["choices"] and "tool_calls" in c["choices"][0]["delta"]
    ]
    assert calls[0]["function"]["name"] == "edit"
    assert len(calls) > 3
    args = "".join(c["function"]["arguments"] for c in calls)
    assert json.loads(args) == {"path": "a.py", "old": "x", "new": "y"}
    assert srv.requests == [body, body]


def test_anthropic_stream_is_framed_with_event_names() -> None:
    script = Script([Turn(text="Hi", reasoning="think")])
    with ScriptedProviderServer(script) as srv:
        resp = httpx.post(
            f"{srv.anthropic_base_url}/v1/messages", json={"model": "claude", "stream": True}
        )
    events = [line[7:] for line in resp.text.splitlines() if line.startswith("event: ")]
    assert events[0] == "message_start"
    assert events[-1] == "message_stop"
    assert "content_block_delta" in events
    deltas = [
        json.loads(d)["delta"]
        for d in _data_lines(resp.text)
        if json.loads(d)["type"] == "content_block_delta"
    ]
    assert {d["type"] for d in deltas} == {"thinking_delta", "signature_delta", "text_delta"}


def test_fault_429_then_turn_plays() -> None:
    script = Script([text_turn("ok", fault="429", retry_after=0.25, fault_times=2)])
    with ScriptedProviderServer(script) as srv, httpx.Client() as client:
        url = f"{srv.openai_base_url}/chat/completions"
        answers = [client.post(url, json={"stream": True}) for _ in range(3)]
    assert [a.status_code for a in answers] == [429, 429, 200]
    assert answers[0].headers["retry-after"] == "0.25"
    assert answers[0].json()["error"]["type"] == "rate_limit_error"


def test_drop_closes_the_connection_mid_stream() -> None:
    script = Script([text_turn("abcdefghijkl", chunk_size=2, fault="drop")])
    with ScriptedProviderServer(script) as srv, httpx.Client() as client:
        url = f"{srv.anthropic_base_url}/v1/messages"
        with pytest.raises(httpx.RemoteProtocolError):
            client.post(url, json={"stream": True})
        assert "message_stop" in client.post(url, json={"stream": True}).text


def test_hang_does_not_block_stop() -> None:
    srv = ScriptedProviderServer(Script([text_turn("abcdef", chunk_size=1, fault="hang")]))
    srv.start()
    received: list[bytes] = []
    errors: list[BaseException] = []
    started = threading.Event()

    def client() -> None:
        try:
            with httpx.stream(
                "POST", f"{srv.openai_base_url}/chat/completions", json={"stream": True}, timeout=30
            ) as resp:
                for chunk in resp.iter_bytes():
                    received.append(chunk)
                    started.set()
        except httpx.HTTPError as exc:
            errors.append(exc)

    thread = threading.Thread(target=client)
    thread.start()
    assert started.wait(10)
    srv.stop()
    thread.join(10)
    assert not thread.is_alive()
    assert b"[DONE]" not in b"".join(received)
    assert errors and isinstance(errors[0], httpx.RemoteProtocolError)


def test_exhausted_script_answers_500_with_a_clear_message() -> None:
    with ScriptedProviderServer(Script([text_turn("one")])) as srv:
        url = f"{srv.openai_base_url}/chat/completions"
        assert httpx.post(url, json={"stream": True}).status_code == 200
        resp = httpx.post(url, json={"stream": True})
    assert resp.status_code == 500
    assert "script exhausted" in resp.json()["error"]["message"]


def test_repeat_last_and_set_script() -> None:
    with ScriptedProviderServer(Script([text_turn("again")], repeat_last=True)) as srv:
        url = f"{srv.openai_base_url}/chat/completions"
        for _ in range(3):
            assert "again" in httpx.post(url, json={"stream": True}).text
        srv.set_script(Script([text_turn("fresh")]))
        assert "fresh" in httpx.post(url, json={"stream": True}).text


def test_non_streaming_and_reachability_routes() -> None:
    with ScriptedProviderServer(Script([tool_turn("glob", {"pattern": "*.py"})])) as srv:
        body = httpx.post(f"{srv.openai_base_url}/chat/completions", json={"model": "m"}).json()
        assert body["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "glob"
        assert httpx.get(f"{srv.openai_base_url}/models").status_code == 200
        assert httpx.get(f"{srv.base_url}/api/tags").json()["models"]
        assert httpx.get(f"{srv.base_url}/nope").status_code == 404
        bad = httpx.post(f"{srv.openai_base_url}/chat/completions", content=b"{nope")
        assert bad.status_code == 400


def test_required_api_key() -> None:
    with ScriptedProviderServer(Script([text_turn("x")]), api_key="sk-good") as srv:
        url = f"{srv.anthropic_base_url}/v1/messages"
        assert httpx.post(url, json={}, headers={"x-api-key": "sk-bad"}).status_code == 401
        ok = httpx.post(url, json={"stream": True}, headers={"x-api-key": "sk-good"})
        assert ok.status_code == 200


def test_script_json_round_trip_and_errors(tmp_path: Path) -> None:
    data = {
        "turns": [
            {"text": "Hello", "chunkDelay": 0.01},
            {"toolCalls": [{"name": "edit", "arguments": {"path": "a"}}]},
            {"text": "x", "fault": "429", "retryAfter": 0.1, "usage": [3, 4]},
        ],
        "repeatLast": False,
    }
    script = Script.from_json(data)
    assert script.turns[0].chunk_delay == 0.01
    assert script.turns[1].tool_calls[0].arguments == {"path": "a"}
    assert script.turns[2].usage == (3, 4)
    assert Script.from_json(script.to_json()) == script
    for bad, where in [
        ({"turns": {}}, "'turns'"),
        ({"turns": [{"fault": "418"}]}, "fault"),
        ({"turns": [{"txt": "a"}]}, "'txt'"),
        ({"turns": [{"toolCalls": [{"arguments": {}}]}]}, "name"),
        ({"turns": [{"chunkSize": 0}]}, "chunkSize"),
    ]:
        with pytest.raises(ScriptError, match=where):
            Script.from_json(bad)
    path = tmp_path / "s.json"
    path.write_text("{broken", encoding="utf-8")
    with pytest.raises(ScriptError, match="not valid JSON"):
        Script.from_file(path)
    with pytest.raises(ScriptError, match="cannot read"):
        Script.from_file(tmp_path / "missing.json")


def test_standalone_cli_prints_its_address_first(tmp_path: Path) -> None:
    path = tmp_path / "script.json"
    path.write_text(json.dumps({"turns": [{"text": "from the CLI"}]}), encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tether.testing.provider_server", "--script", str(path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("listening on http://127.0.0.1:")
        base = line.removeprefix("listening on ")
        resp = httpx.post(f"{base}/v1/chat/completions", json={"stream": True})
        assert "from the CLI" in "".join(
            json.loads(d)["choices"][0]["delta"].get("content", "")
            for d in _data_lines(resp.text)[:-1]
        )
    finally:
        proc.terminate()
        code = proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
    assert code == 0


def test_standalone_cli_rejects_a_bad_script(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"turns": [{"fault": "teapot"}]}', encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "tether.testing.provider_server", "--script", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2
    assert "fault" in proc.stderr


def test_title_requests_do_not_use_up_turns() -> None:
    script = Script([text_turn("the answer")], title="A short title")
    with ScriptedProviderServer(script) as srv:
        url = f"{srv.openai_base_url}/chat/completions"
        tools = [{"type": "function", "function": {"name": "glob", "parameters": {}}}]
        title = httpx.post(url, json={}).json()["choices"][0]["message"]["content"]
        assert title == "A short title"
        answer = httpx.post(url, json={"tools": tools}).json()["choices"][0]["message"]
        assert answer["content"] == "the answer"
        assert srv.turns_played == 1
