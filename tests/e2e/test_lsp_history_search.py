"""Search, archive and Codex import over LSP: `tether serve` with real files."""

from __future__ import annotations

from pathlib import Path

from cli.codex_rollouts import write_rollouts
from tether.testing.provider_server import Script, text_turn, tool_turn

from .conftest import Env


async def test_search_archive_and_import_codex(env: Env, workspace: Path, tmp_path: Path) -> None:
    (workspace / "ocelot_report.md").write_text("x\n")
    env.provider.set_script(Script([tool_turn("list_dir", {"path": "."}), text_turn("done")]))
    folder = workspace.as_uri()
    async with env.serve([workspace], settings={"autoApprove": True}) as h:
        sid = (await h.request("tether/session/create", {"folderUri": folder}))["sessionId"]
        await h.request("tether/session/prompt", {"sessionId": sid, "text": "list the files"})
        found = await h.request("tether/session/search", {"folderUri": folder, "query": "ocelot"})
        assert [(x["sessionId"], x["kind"]) for x in found["hits"]] == [(sid, "tool_output")]
        hit = found["hits"][0]
        start, end = hit["highlights"][0]
        assert hit["snippet"][start:end].startswith("ocelot")

        await h.request("tether/session/archive", {"sessionId": sid, "archived": True})
        listed = await h.request("tether/session/list", {"folderUri": folder})
        assert listed["sessions"] == []
        listed = await h.request("tether/session/list",
                                 {"folderUri": folder, "includeArchived": True})
        assert [(s["id"], s["archived"]) for s in listed["sessions"]] == [(sid, True)]
        assert (await h.request("tether/session/search",
                                {"folderUri": folder, "query": "ocelot"}))["hits"] == []

        sessions = write_rollouts(tmp_path / "codex", workspace)
        imported = await h.request("tether/session/importCodex",
                                   {"folderUri": folder, "path": str(sessions)})
        assert len(imported["imported"]) == 2
        again = await h.request("tether/session/importCodex",
                                {"folderUri": folder, "path": str(sessions)})
        assert again["imported"] == [] and again["skipped"] == 2
        found = await h.request("tether/session/search",
                                {"folderUri": folder, "query": "quasimodal"})
        assert len(found["hits"]) == 1 and found["hits"][0]["sessionId"] in imported["imported"]
