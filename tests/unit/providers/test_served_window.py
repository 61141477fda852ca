"""The one probe for the window a provider's server serves: llama.cpp /props, vLLM and
LM Studio /v1/models, Ollama /api/show; hosted OpenAI is not asked, failures are unknown."""

from __future__ import annotations

import json

import httpx
import pytest

from tether.providers.served_window import (
    llama_cpp_window,
    models_window,
    ollama_window,
    served_context_window,
)
from tether.settings import Settings
from tether.testing.provider_server import Script, ScriptedProviderServer


def test_window_reports_of_local_servers() -> None:
    assert llama_cpp_window({"default_generation_settings": {"n_ctx": 8192}}) == 8192
    assert llama_cpp_window({"n_ctx": 4096}) == 4096
    assert llama_cpp_window({"nope": 1}) is None
    assert llama_cpp_window({"default_generation_settings": {"n_ctx": True}}) is None
    assert ollama_window({"model_info": {"qwen2.context_length": 32768}}) == 32768
    assert ollama_window({"parameters": "num_ctx 4096\nstop x", "model_info": {}}) == 4096
    assert ollama_window({"parameters": "num_ctx                        2048"}) == 2048
    assert ollama_window("garbage") is None


def test_model_list_windows() -> None:
    vllm = {"data": [{"id": "a", "max_model_len": 4096}, {"id": "b", "max_model_len": 9000}]}
    assert models_window(vllm, "b") == 9000
    assert models_window(vllm, "c") is None  # several models, none is ours
    lm_studio = {"data": [{"id": "qwen2.5-7b-instruct.gguf", "context_length": 16384}]}
    assert models_window(lm_studio, "qwen") == 16384  # the only one served
    assert models_window({"data": [{"id": "x"}]}, "x") is None
    assert models_window({"data": "nope"}, "x") is None
    assert models_window(["not", "a", "dict"], "x") is None


async def test_llama_cpp_props_over_real_http() -> None:
    with ScriptedProviderServer(Script([]), served_context=8192) as srv:
        settings = Settings(provider="openai", openai_base_url=srv.openai_base_url,
                            openai_api_key="k", model="m")  # type: ignore[arg-type]
        assert await served_context_window(settings) == 8192


async def test_ollama_show_over_real_http() -> None:
    with ScriptedProviderServer(Script([]), context_window=12_000) as srv:
        ollama = Settings(provider="ollama", ollama_host=srv.base_url, model="m")
        assert await served_context_window(ollama) == 12_000


async def test_a_server_that_does_not_say_is_unknown() -> None:
    with ScriptedProviderServer(Script([])) as srv:  # no /props, /v1/models without limits
        settings = Settings(provider="openai", openai_base_url=srv.openai_base_url, model="m")
        assert await served_context_window(settings) is None
        ollama = Settings(provider="ollama", ollama_host=srv.base_url, model="m")
        assert await served_context_window(ollama) is None


async def test_vllm_models_answer_with_the_key() -> None:
    seen: list[tuple[str, str | None]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.path, request.headers.get("authorization")))
        if request.url.path == "/v1/models":
            return httpx.Response(200, json={"data": [{"id": "qwen", "max_model_len": 6000}]})
        return httpx.Response(404, text="not found")

    settings = Settings(provider="openai", openai_base_url="http://gpu:8000/v1",
                        openai_api_key="sk-local", model="qwen")  # type: ignore[arg-type]
    found = await served_context_window(settings, transport=httpx.MockTransport(answer))
    assert found == 6000
    assert seen == [("/props", "Bearer sk-local"), ("/v1/models", "Bearer sk-local")]


@pytest.mark.parametrize("body", [b"<html>", b"[1, 2]", json.dumps({"data": None}).encode()])
async def test_unexpected_answers_are_unknown(body: bytes) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    settings = Settings(provider="openai", openai_base_url="http://gpu:8000/v1", model="m")
    assert await served_context_window(settings, transport=transport) is None


async def test_hosted_openai_and_other_kinds_are_not_asked() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"asked {request.url}")

    transport = httpx.MockTransport(refuse)
    hosted = Settings(provider="openai", model="gpt-4o")
    assert await served_context_window(hosted, transport=transport) is None
    anthropic = Settings(provider="anthropic", model="claude-sonnet-4-5")
    assert await served_context_window(anthropic, transport=transport) is None


async def test_nothing_listening_is_unknown() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    settings = Settings(provider="ollama", ollama_host="http://127.0.0.1:9", model="m")
    assert await served_context_window(settings, transport=httpx.MockTransport(down)) is None


async def test_probes_share_the_providers_tls_context(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CA bundle is loaded once per process (providers/http.ssl_context), not per probe."""
    import ssl

    from tether.providers import http

    loads: list[object] = []
    real = ssl.create_default_context

    def counted(*args: object, **kwargs: object) -> ssl.SSLContext:
        loads.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl, "create_default_context", counted)
    http.ssl_context.cache_clear()
    try:
        with ScriptedProviderServer(Script([]), served_context=8192) as srv:
            settings = Settings(provider="openai", openai_base_url=srv.openai_base_url,
                                openai_api_key="k", model="m")  # type: ignore[arg-type]
            for _ in range(3):
                assert await served_context_window(settings) == 8192
            http.ssl_context()  # a provider's client, after the probes
    finally:
        http.ssl_context.cache_clear()
    assert len(loads) == 1
