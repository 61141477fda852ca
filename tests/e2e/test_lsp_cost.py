"""Cost: each usage event prices the step, the turn and the session; session/list too."""

from __future__ import annotations

from pathlib import Path

import pytest

from tether.pricing import price_for
from tether.protocol.models import Usage
from tether.testing.provider_server import Script, text_turn

from .conftest import Env


async def test_usage_events_and_list_carry_cost(env: Env, workspace: Path) -> None:
    env.provider.set_script(Script([text_turn("one", usage=(1000, 200)),
                                    text_turn("two", usage=(3000, 400))]))
    async with env.serve([workspace], settings={"model": "gpt-4o-mini"}) as h:
        created = await h.request("tether/session/create", {"folderUri": workspace.as_uri()})
        sid = created["sessionId"]
        for text in ("a", "b"):
            result = await h.request("tether/session/prompt", {"sessionId": sid, "text": text})
            assert result["status"] == "completed"
        usage = [e["event"] for e in h.events_of(sid) if e["event"]["type"] == "usage"]
        price = price_for("openai/gpt-4o-mini")
        assert price is not None
        first = price.cost(Usage(prompt_tokens=1000, completion_tokens=200))
        second = price.cost(Usage(prompt_tokens=3000, completion_tokens=400))
        assert [u["cost"] for u in usage] == [first, second]
        assert [u["turnCost"] for u in usage] == [first, second]
        assert usage[-1]["sessionCost"] == pytest.approx(first + second)
        listed = await h.request("tether/session/list", {"folderUri": workspace.as_uri()})
        (row,) = listed["sessions"]
        assert row["cost"] == pytest.approx(first + second)
        assert row["usage"]["promptTokens"] == 4000


async def test_unknown_model_shows_tokens_only(env: Env, workspace: Path) -> None:
    env.provider.set_script(Script([text_turn("one", usage=(1000, 200))]))
    async with env.serve([workspace], settings={"model": "my-local-model"}) as h:
        created = await h.request("tether/session/create", {"folderUri": workspace.as_uri()})
        sid = created["sessionId"]
        await h.request("tether/session/prompt", {"sessionId": sid, "text": "a"})
        (usage,) = [e["event"] for e in h.events_of(sid) if e["event"]["type"] == "usage"]
        assert usage.get("cost") is None and usage.get("sessionCost") is None  # omitted
        assert usage["usage"]["promptTokens"] == 1000
        listed = await h.request("tether/session/list", {"folderUri": workspace.as_uri()})
        assert listed["sessions"][0].get("cost") is None
