"""A workspace and an engine wired to the local provider server over real HTTP, for the
long-turn tests: big files to read, project rules, a window the server enforces."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tether.protocol.events import EventBase
from tether.providers.script import Script, text_turn, tool_turn
from tether.session.manager import SessionManager
from tether.settings import Settings
from tether.store import open_store
from tether.testing.provider_server import ScriptedProviderServer
from tether.workspace.disk_bridge import DiskBridge
from tether.workspace.folder import WorkspaceFolder

AGENTS_TEXT = "House rule 7: every function gets a docstring that says why."
TASK = "Read every data file (f00.txt to f39.txt) and tell me which mentions a unicorn."


def big_files(root: Path, count: int, lines: int = 200) -> None:
    """`count` files of ~16k characters (~4k tokens) each, each line naming its file."""
    for i in range(count):
        body = "".join(f"f{i:02d} line {n:03d}: " + "lorem ipsum dolor sit amet " * 2 + "\n"
                       for n in range(lines))
        (root / f"f{i:02d}.txt").write_text(body)


def reading_script(count: int, final: str = "None of them mentions a unicorn.") -> Script:
    turns = [tool_turn("read_file", {"path": f"f{i:02d}.txt"}) for i in range(count)]
    return Script([*turns, text_turn(final)])


def settings_for(srv: ScriptedProviderServer, wire: str, **overrides: Any) -> Settings:
    if wire == "anthropic":
        base = Settings(provider="anthropic", model="claude-scripted",
                        anthropic_base_url=srv.anthropic_base_url,
                        anthropic_api_key="test")  # type: ignore[arg-type]
    else:
        base = Settings(provider="openai", model="scripted", openai_base_url=srv.openai_base_url,
                        openai_api_key="test")  # type: ignore[arg-type]
    values = {"title_generation": False, "max_tokens": 2000, "repo_map_tokens": 0, **overrides}
    return base.model_copy(update=values)


class Engine:
    """A SessionManager on a real store, talking HTTP to the provider server."""

    def __init__(self, folder: WorkspaceFolder, settings: Settings) -> None:
        self.events: list[EventBase] = []
        self.store = open_store(folder)
        self.manager = SessionManager(folder, store=self.store, settings=settings,
                                      bridge=DiskBridge(auto_approve=True))
        self.manager.subscribe(self.events.append)

    def types(self) -> list[str]:
        return [e.type for e in self.events]  # type: ignore[attr-defined]

    def of_type(self, kind: str) -> list[Any]:
        return [e for e in self.events if e.type == kind]  # type: ignore[attr-defined]


def turn_requests(srv: ScriptedProviderServer) -> list[dict[str, Any]]:
    """The model requests of turns (with tools), not summaries or titles."""
    return [body for body in srv.requests if body.get("tools")]


def request_text(body: dict[str, Any]) -> str:
    return json.dumps(body.get("system", "")) + json.dumps(body.get("messages", []))
