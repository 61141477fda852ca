"""The admission rules of a remote server and the settings a remote client may not set."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tether.lsp.auth import admit, bearer_token, origin_allowed, server_token, token_matches
from tether.protocol.error_codes import ErrorCode
from tether.settings import Settings, remote_safe, remote_unsafe


def test_token_comparison_refuses_non_strings_and_empty() -> None:
    assert token_matches("abc", "abc")
    for given in ("abd", "", None, 1, ["abc"], b"abc"):
        assert not token_matches("abc", given)


@pytest.mark.parametrize(("header", "token"), [
    ("Bearer tok", "tok"), ("bearer  tok ", "tok"), ("Basic tok", None), ("Bearer", None),
    ("", None), (None, None), ("tok", None),
])
def test_bearer_token(header: str | None, token: str | None) -> None:
    assert bearer_token(header) == token


def test_origin_rules() -> None:
    allowed = frozenset({"https://ide.example.com"})
    assert origin_allowed(None, allowed)  # native clients send no Origin
    assert origin_allowed("https://ide.example.com/", allowed)
    assert not origin_allowed("https://evil.example", allowed)
    assert not origin_allowed("null", allowed)  # sandboxed iframes, file:// pages
    assert not origin_allowed("http://127.0.0.1:8080", frozenset())


def test_admit_only_initialize_with_the_token() -> None:
    good = {"initializationOptions": {"tether": {"token": "t"}}}
    assert admit("initialize", 1, good, "t") is None
    refusal = admit("initialize", 1, {"initializationOptions": {"tether": {"token": "x"}}}, "t")
    assert refusal is not None and refusal.msg_id == 1
    assert refusal.code == ErrorCode.UNAUTHORIZED
    before = admit("tether/session/list", "a", good, "t")
    assert before is not None and before.msg_id == "a" and "initialize" in before.message
    note = admit("initialized", None, {}, "t")
    assert note is not None and note.msg_id is None  # nothing to answer: just close
    assert admit("initialize", 1, {"initializationOptions": "t"}, "t") is not None


def test_token_from_env_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    token = server_token(7777, {"TETHER_TOKEN": "from-env"})
    assert token.value == "from-env" and token.file is None
    assert "from-env" not in token.describe()
    assert not (tmp_path / "tether").exists()


def test_generated_token_file_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    token = server_token(7777, {})
    assert token.file == tmp_path / "tether" / "serve-7777.token"
    assert stat.S_IMODE(token.file.stat().st_mode) == 0o600
    assert token.file.read_text().strip() == token.value
    assert token.value not in token.describe() and str(token.file) in token.describe()
    token.remove()
    assert not token.file.exists()


def test_remote_safe_drops_what_exfiltrates_or_escalates() -> None:
    kept, dropped = remote_safe({
        "openaiBaseUrl": "http://evil", "anthropic_base_url": "http://evil",
        "openaiApiKey": "k", "anthropicApiKey": "k", "ollamaHost": "http://evil",
        "autoApprove": True, "allowedTools": ["run_command"], "provider": "replay:/etc/passwd",
        "model": "gpt-4o", "maxSteps": 3, "titleGeneration": False,
    })
    assert kept == {"model": "gpt-4o", "maxSteps": 3, "titleGeneration": False}
    assert len(dropped) == 8


def test_remote_may_pick_a_provider_kind_but_not_a_replay_file() -> None:
    assert not remote_unsafe("provider", "anthropic")
    assert remote_unsafe("provider", " Replay:x.json")


def test_every_setting_is_classified() -> None:
    """A new URL, key, host or command setting is unsafe by its name, without a list edit."""
    for name in Settings.model_fields:
        if name.endswith(("_url", "_key", "_host", "_command", "_commands", "_token")):
            assert remote_unsafe(name, "x"), name
    assert remote_unsafe("mcp_servers_command", ["sh"])


@pytest.mark.parametrize(("value", "expected"), [
    ("7777", ("127.0.0.1", 7777)), (":7777", ("127.0.0.1", 7777)),
    ("0.0.0.0:7777", ("0.0.0.0", 7777)), ("[::1]:7777", ("::1", 7777)),
    ("localhost:0", ("localhost", 0)),
])
def test_serve_address_defaults_to_loopback(value: str, expected: tuple[str, int]) -> None:
    from tether.lsp.cli import _host_port

    assert _host_port(value) == expected


@pytest.mark.parametrize("value", ["", "host:", "host:port", "1:70000"])
def test_serve_address_rejects(value: str) -> None:
    import argparse

    from tether.lsp.cli import _host_port

    with pytest.raises(argparse.ArgumentTypeError):
        _host_port(value)


def test_loopback_hosts() -> None:
    from tether.lsp.remote import is_loopback

    assert all(map(is_loopback, ["127.0.0.1", "localhost", "::1", "127.0.0.2"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "192.168.1.2", "example.com"]))


def test_admitted_params_forget_the_token_and_logs_hide_it() -> None:
    import logging

    from tether.lsp.auth import HideToken, forget_token

    params = {"initializationOptions": {"tether": {"token": "t0k3n", "other": 1}}}
    forget_token(params)
    assert params == {"initializationOptions": {"tether": {"other": 1}}}
    record = logging.LogRecord("x", logging.DEBUG, __file__, 1, "< %s: %s",
                               ("Authorization", "Bearer t0k3n"), None)
    assert HideToken("t0k3n").filter(record)
    assert record.getMessage() == "< Authorization: Bearer ***"
