"""run_command's output is redacted as it is read: a key split across two writes, or cut
by the head/tail limit, leaves no piece behind; TETHER_TOKEN is not inherited either."""

from __future__ import annotations

import uuid

import pytest

from tether.redaction import add_secrets
from tether.tools.run_command import MAX_OUTPUT_CHARS, RunCommandTool

from .conftest import Harness

run = RunCommandTool()


async def test_a_key_written_in_two_pieces_is_masked(ws: Harness) -> None:
    key = "kr" + uuid.uuid4().hex
    add_secrets(key)
    half = len(key) // 2
    command = f"printf '{key[:half]}'; sleep 0.2; printf '{key[half:]} done\\n'"
    outcome = await run.run({"command": command}, ws.ctx)
    assert "*** done" in outcome.content and key[:half] not in outcome.content
    assert len(ws.output) >= 1 and key[:half] not in "".join(ws.output)


async def test_the_output_limit_does_not_cut_a_key_in_half(ws: Harness) -> None:
    key = "kc" + uuid.uuid4().hex
    add_secrets(key)
    before = MAX_OUTPUT_CHARS // 2 - 10  # the head ends 10 characters into the key
    command = f"head -c {before} /dev/zero | tr '\\0' x; printf '{key}'; head -c 50000 /dev/zero"
    outcome = await run.run({"command": command}, ws.ctx)
    assert outcome.metadata["truncated"]
    assert key[:10] not in outcome.content and key[-10:] not in outcome.content


async def test_the_remote_token_is_not_inherited(
    ws: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "tk" + uuid.uuid4().hex
    monkeypatch.setenv("TETHER_TOKEN", token)
    outcome = await run.run({"command": "env"}, ws.ctx)
    assert token not in outcome.content and "PATH=" in outcome.content
