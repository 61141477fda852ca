"""Change sets: rewinding a turn beside writing its files plainly; blob bytes per turn.

Issue 10. A real SessionManager runs one turn whose model edits N files (one line each
in files of ~8 KB), M of them open in the editor (the LSP bridge over a document
overlay, with an in-process editor that applies `workspace/applyEdit` as VS Code does;
the rest are closed, so their edits and their restore go to disk). Then:

- rewind: `tether/session/rewind` of that turn (snapshots read back, 3-way planned,
  open buffers through versioned applyEdit, closed files written atomically with fsync),
  beside writing the same N pre-turn texts plainly (`open(...).write`, no fsync) and with
  an fsync each (what an editor's save costs). Goal: <= 3x the plain write.
- blob bytes: what the blob store holds after the turn, beside the touched files' size
  before the turn. Goal: <= 1.1x (one snapshot per file, the agent's text as a delta).

    python benchmarks/bench_changes.py [--files N] [--open M] [--runs N] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from lsprotocol import types

from tether.lsp.bridge import LspEditorBridge
from tether.protocol.methods import PermissionRequestParams
from tether.protocol.models import Usage
from tether.providers.base import (
    ChatRequest,
    ProviderEvent,
    StreamFinished,
    TextChunk,
    ToolCallReady,
    UsageReport,
)
from tether.session.manager import SessionManager
from tether.settings import Settings
from tether.store import open_store
from tether.workspace.folder import WorkspaceFolder, path_to_uri
from tether.workspace.overlay import DocumentOverlay, TextChange

GOAL_REWIND = 3.0
GOAL_BLOBS = 1.1
LINES = 200


class OverlayEditor:
    """Applies versioned TextDocumentEdits to the overlay, as an editor would."""

    tether_permissions = True
    document_changes = True
    create_files = True
    apply_edits = True

    def __init__(self, overlay: DocumentOverlay) -> None:
        self.overlay = overlay

    async def apply_edit(self, edit: types.WorkspaceEdit,
                         label: str) -> types.ApplyWorkspaceEditResult:
        for change in edit.document_changes or []:
            assert isinstance(change, types.TextDocumentEdit)
            doc = self.overlay.get(change.text_document.uri)
            assert doc is not None
            if change.text_document.version not in (None, doc.version):
                return types.ApplyWorkspaceEditResult(applied=False)
            edits = [TextChange(e.new_text, (e.range.start.line, e.range.start.character),
                                (e.range.end.line, e.range.end.character))
                     for e in change.edits if isinstance(e, types.TextEdit)]
            self.overlay.change(doc.uri, doc.version + 1, edits)
        return types.ApplyWorkspaceEditResult(applied=True)

    async def permission_request(self, params: PermissionRequestParams) -> Any:
        return {"option": "allow_once"}

    async def show_message_request(self, message: str, actions: list[str]) -> str | None:
        return "Allow once"


class OneTurnProvider:
    """Model double: the first request edits every file, the next one answers."""

    name = "bench"

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.calls = 0

    async def stream(self, request: ChatRequest) -> AsyncIterator[ProviderEvent]:
        self.calls += 1
        if self.calls == 1:
            for i, name in enumerate(self.names):
                args = {"path": name, "old": "value = 0\n", "new": "value = 1\n"}
                yield ToolCallReady(id=f"c{i}", name="edit", arguments=args,
                                    raw_arguments=json.dumps(args))
            yield StreamFinished("tool_use")
            return
        yield TextChunk("Done.")
        yield UsageReport(Usage(prompt_tokens=1, completion_tokens=1, total_tokens=2))
        yield StreamFinished("end_turn")

    async def aclose(self) -> None:
        return None


def body(i: int) -> str:
    lines = [f"line_{i}_{j} = '{'x' * 30}'  # filler {j}\n" for j in range(LINES)]
    lines[LINES // 2] = "value = 0\n"
    return "".join(lines)


async def one_run(base: Path, files: int, opened: int) -> tuple[float, float, float, int, int]:
    root = base / "ws"
    root.mkdir()
    names = [f"pkg/m{i}.py" for i in range(files)]
    texts = {name: body(i) for i, name in enumerate(names)}
    for name, text in texts.items():
        (root / name).parent.mkdir(exist_ok=True)
        (root / name).write_text(text)
    folder = WorkspaceFolder.at(root)
    overlay = DocumentOverlay()
    for name in names[:opened]:
        overlay.open(path_to_uri(root / name), texts[name], 1)
    bridge = LspEditorBridge(folder, overlay, OverlayEditor(overlay), settle_timeout=1.0)
    settings = Settings(provider="openai", model="bench", title_generation=False,
                        context_window=100_000, max_steps=5)
    manager = SessionManager(folder, store=open_store(folder, base / "data"),
                             settings=settings, bridge=bridge,
                             provider_factory=lambda _s: OneTurnProvider(names))
    info = await manager.create()
    result = await manager.prompt(info.id, "edit them all")
    assert result.status == "completed", result
    assert manager.blobs is not None
    stored = manager.blobs.stored_bytes()
    touched = sum(len(t.encode()) for t in texts.values())

    started = time.perf_counter()
    rewound = await manager.rewind(info.id, result.turn_id)
    rewind_s = time.perf_counter() - started
    assert len(rewound.restored) == files and not rewound.conflicts, rewound

    plain_dir = base / "plain"
    plain_dir.mkdir()
    started = time.perf_counter()
    for i, text in enumerate(texts.values()):
        with open(plain_dir / f"m{i}.py", "w", encoding="utf-8") as f:
            f.write(text)
    plain_s = time.perf_counter() - started
    started = time.perf_counter()
    for i, text in enumerate(texts.values()):
        with open(plain_dir / f"s{i}.py", "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
    synced_s = time.perf_counter() - started
    await manager.aclose()
    return rewind_s, plain_s, synced_s, stored, touched


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--open", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="10 files, 4 open, 1 run")
    args = parser.parse_args()
    files, opened, runs = (10, 4, 1) if args.quick else (args.files, args.open, args.runs)
    results = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="tether-bench-changes-") as tmp:
            results.append(asyncio.run(one_run(Path(tmp), files, opened)))
    rewind = statistics.median(r[0] for r in results)
    plain = statistics.median(r[1] for r in results)
    synced = statistics.median(r[2] for r in results)
    stored, touched = results[-1][3], results[-1][4]
    print(f"rewind of a turn touching {files} files ({opened} open), median of {runs}:")
    print(f"  rewind            {rewind * 1000:8.1f} ms")
    print(f"  plain write       {plain * 1000:8.1f} ms   ratio {rewind / plain:5.2f}x "
          f"(goal <= {GOAL_REWIND}x)")
    print(f"  write + fsync     {synced * 1000:8.1f} ms   ratio {rewind / synced:5.2f}x")
    print(f"blob bytes per turn: {stored} stored for {touched} bytes of touched files, "
          f"ratio {stored / touched:5.3f}x (goal <= {GOAL_BLOBS}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
