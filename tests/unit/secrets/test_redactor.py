"""The redactor: configured secrets and key shapes masked, code left alone, chunk
boundaries handled, and each exit (events, history, logs, errors, settings) covered."""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path

import pytest
from pydantic import SecretStr

from tether.errors import ProviderResponseError
from tether.protocol.events import MessageAdded, TextDelta
from tether.protocol.models import Message, TextPart, ToolResultPart
from tether.redaction import (
    PLACEHOLDER,
    REDACTOR,
    RedactingFilter,
    Redactor,
    StreamRedactor,
    add_secrets,
)
from tether.settings import Settings
from tether.store.records import encode_record

KEY = "kq" + uuid.uuid4().hex + "Zx9"
OTHER = "ab" + uuid.uuid4().hex[:10]


def test_configured_secrets_are_masked_in_every_encoding() -> None:
    quoted = 'pa"ss\\word-' + uuid.uuid4().hex[:8]
    r = Redactor([KEY, quoted, "short"])
    assert r.redact(f"key={KEY}.") == f"key={PLACEHOLDER}."
    assert KEY not in r.redact(f"https://x.test/?key={KEY}")
    assert json.dumps(quoted)[1:-1] not in r.redact(json.dumps({"v": quoted}))
    assert r.redact("a short word") == "a short word"  # too short to be masked anywhere


def test_key_shapes_are_masked_with_their_prefix() -> None:
    r = Redactor()
    text = ("openai sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8t anthropic sk-ant-api03-Xy1zAb2cDe3fGh4iJk5l"
            " header Authorization: Bearer abcdefgh12345678ijkl")
    assert r.redact(text) == ("openai sk-proj-*** anthropic sk-ant-api03-*** "
                              "header Authorization: Bearer ***")


@pytest.mark.parametrize("code", [
    'headers = {"Authorization": f"Bearer {token}"}',
    "import sklearn\nclass sk-button-primary-large-wide-extra {}",  # kebab-case, no digit
    'api_key = os.environ["OPENAI_API_KEY"]  # sk-... from the dashboard',
    "Bearer tokens are short-lived; see RFC 6750.",
    "const risk = task-queue-manager-service-worker-2",
])
def test_ordinary_code_is_left_alone(code: str) -> None:
    r = Redactor([KEY])
    assert r.redact(code) is code


def test_clean_values_come_back_as_the_same_objects() -> None:
    r = Redactor([KEY])
    message = Message(id="m", role="tool",
                      parts=[ToolResultPart(tool_call_id="c", content="all fine")])
    assert r.redact_value(message) is message
    dirty = message.model_copy(update={"parts": [ToolResultPart(tool_call_id="c",
                                                                content=f"env {KEY}")]})
    clean = r.redact_value(dirty)
    assert KEY not in clean.model_dump_json() and clean.parts[0].tool_call_id == "c"
    assert KEY in dirty.model_dump_json()  # the original is not modified


def _stream(r: Redactor, text: str, size: int) -> list[str]:
    stream = StreamRedactor(r)
    out = [stream.feed(text[i:i + size]) for i in range(0, len(text), size)]
    return [*out, stream.flush()]


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 11, 16, 64])
def test_a_secret_split_across_chunks_is_still_masked(size: int) -> None:
    r = Redactor([KEY, KEY[:20] + "longer-variant-of-it"])
    text = (f"first {KEY} then sk-{'a1' * 15} and Bearer {'b' * 20} end, "
            f"{KEY[:12]}-not-the-key, {KEY}")
    pieces = _stream(r, text, size)
    assert "".join(pieces) == r.redact(text)
    assert all(KEY not in p for p in pieces) and KEY not in "".join(pieces)
    assert "not-the-key" in "".join(pieces)


def test_text_that_cannot_start_a_secret_is_not_held() -> None:
    stream = StreamRedactor(Redactor([KEY]))
    assert stream.feed("Hello, world. ") == "Hello, world. "
    assert stream.feed(f"The key: {KEY[:5]}") == "The key: "  # could be the key: held
    assert stream.feed("!") == f"{KEY[:5]}!"  # it was not
    assert stream.feed(" and s") == " and "  # might become sk-…
    assert stream.flush() == "s"


def test_the_emitter_masks_a_key_streamed_across_deltas(tmp_path: Path) -> None:
    from tether.session.emitter import EventEmitter
    from tether.store.base import Appended

    key = "kd" + uuid.uuid4().hex
    add_secrets(key)
    published: list[object] = []

    class Store:
        def append(self, *args: object, **kw: object) -> Appended:
            return Appended()

    text = f"the key is {key}, done"
    message = Message(id="m", role="assistant", parts=[TextPart(text=text)])

    async def stream() -> None:  # deltas are coalesced on the event loop
        emitter = EventEmitter("s", Store(), [published.append])  # type: ignore[arg-type]
        for i in range(0, len(text), 4):
            emitter.stream_text(TextDelta, "t", "m", text[i:i + 4])
        await emitter.emit(MessageAdded(**emitter.scope("t"), message=message))

    import asyncio

    asyncio.run(stream())
    deltas = [e for e in published if isinstance(e, TextDelta)]
    assert "".join(d.text for d in deltas) == f"the key is {PLACEHOLDER}, done"
    added = [e for e in published if isinstance(e, MessageAdded)]
    assert key not in added[0].model_dump_json()
    seqs = [e.seq for e in published]  # type: ignore[attr-defined]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_history_lines_are_masked_and_stay_valid_json() -> None:
    digits = str(10**11 + uuid.uuid4().int % 10**11)  # a secret that looks like a number
    key = "kh" + uuid.uuid4().hex
    add_secrets(key, digits)
    record = {"type": "usage", "seq": int(digits), "text": f"{key} and {digits}"}
    line = encode_record(record)
    data = json.loads(line)
    assert data["seq"] == int(digits)  # numbers are not strings: left alone, JSON intact
    assert key.encode() not in line and data["text"] == f"{PLACEHOLDER} and {PLACEHOLDER}"


def test_error_messages_are_masked_at_construction() -> None:
    key = "ke" + uuid.uuid4().hex
    add_secrets(key)
    exc = ProviderResponseError(f"It said: bad key {key}", status=400,
                                data={"detail": f"key {key}"})
    assert key not in exc.message and key not in str(exc) and key not in repr(exc.data)


def test_log_lines_mask_secrets_and_fields_named_like_secrets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    key = "kl" + uuid.uuid4().hex
    add_secrets(key)
    handler = logging.Handler()
    lines: list[str] = []
    handler.emit = lambda record: lines.append(handler.format(record))  # type: ignore[method-assign]
    handler.addFilter(RedactingFilter())
    log = logging.getLogger("test.redaction")
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    try:
        log.debug("Received result: %s", [{"openaiApiKey": "brand-new-unknown",
                                           "maxTokens": 5, "anthropic_api_key": "x"}])
        try:
            raise ValueError(f"bad {key}")
        except ValueError:
            log.exception("failed with %s", key)
    finally:
        log.removeHandler(handler)
    text = "\n".join(lines)
    assert "brand-new-unknown" not in text and "'maxTokens': 5" in text
    assert key not in text and "ValueError" in text


def test_settings_register_their_secrets_and_print_them_masked() -> None:
    key = "ks" + uuid.uuid4().hex
    settings = Settings(provider="openai", openai_api_key=SecretStr(key))
    assert key in REDACTOR.secrets
    for shown in (repr(settings), str(settings), settings.model_dump_json(),
                  repr(settings.model_dump())):
        assert key not in shown
    merged = Settings().merged({"anthropicApiKey": "ka" + uuid.uuid4().hex})
    assert merged.anthropic_api_key is not None
    assert merged.anthropic_api_key.get_secret_value() in REDACTOR.secrets


def test_adding_a_short_or_known_secret_changes_nothing() -> None:
    r = Redactor([OTHER])
    before = r._pattern
    r.add(OTHER, "abc", None, SecretStr(OTHER))
    assert r._pattern is before


def test_uncaught_tracebacks_on_stderr_are_masked(tmp_path: Path) -> None:
    import subprocess
    import sys

    key = "ku" + uuid.uuid4().hex
    script = tmp_path / "crash.py"
    script.write_text(
        "import threading\n"
        "from tether.redaction import add_secrets, install_log_redaction\n"
        f"add_secrets({key!r})\n"
        "install_log_redaction()\n"
        "def fail():\n"
        f"    raise OSError({key!r})\n"
        "t = threading.Thread(target=fail)\n"
        "t.start()\n"
        "t.join()\n"
        f"raise RuntimeError('bad ' + {key!r})\n")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=60, cwd=tmp_path)
    assert run.returncode == 1
    assert "RuntimeError: bad ***" in run.stderr and "OSError: ***" in run.stderr
    assert key not in run.stderr
