"""The VS Code extension end to end, in a real VS Code (code-server 4.100) driven by
headless Chromium through playwright-core.

The built .vsix is installed with `--install-extension`; the extension starts the real
`python -m tether serve`, which talks to the scripted provider server over real HTTP.
The browser half lives in tests/editors/vscode/e2e.mjs; this file owns the processes
(provider server, code-server in its own process group) and checks the disk.
Screenshots land in test-artifacts/vscode/.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tether.testing.provider_server import Script, ScriptedProviderServer, text_turn

pytestmark = pytest.mark.editor

REPO = Path(__file__).resolve().parents[2]
CLIENT = REPO / "vscode-client"
E2E_SCRIPT = Path(__file__).resolve().parent / "vscode" / "e2e.mjs"
CODE_SERVER = Path(
    os.environ.get(
        "TETHER_CODE_SERVER",
        Path.home() / ".cache/tether-e2e/code-server/node_modules/.bin/code-server",
    )
)
CHROMIUM = Path(os.environ.get("TETHER_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = REPO / "test-artifacts" / "vscode"

ORIGINAL = 'def greet(name):\n    return f"Hello, {name}!"\n'
TYPED = "# typed by the user, unsaved"
DOCSTRING = '    """Greet someone by name."""\n'
TITLE = "Docstring for greet"
SECRET = "sk-e2e-not-a-real-key-4711"

SCRIPT = {
    # Title requests (no tools) get this answer without using up a turn.
    "title": TITLE,
    "turns": [
        # Turn 1: a command (asks permission), an edit of hello.py, then the answer.
        {"toolCalls": [{"name": "run_command", "arguments": {"command": "echo tests pass"}}]},
        {
            "toolCalls": [
                {
                    "name": "edit",
                    "arguments": {
                        "path": "hello.py",
                        "old": "def greet(name):\n",
                        "new": "def greet(name):\n" + DOCSTRING,
                    },
                }
            ]
        },
        {
            "text": "I added a **docstring** to `greet()`. The change is in your editor, unsaved.",
            "chunkSize": 6,
            "chunkDelay": 0.02,
        },
        # Turn 2: slow enough to be stopped half-way.
        {"text": "Once upon a time " * 200, "chunkSize": 5, "chunkDelay": 0.25},
    ],
}


def _need(path: Path, what: str) -> None:
    if not path.exists():
        pytest.skip(f"{what} not found at {path}: run `bash .ci/install-vscode.sh`")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(cmd: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert result.returncode == 0, f"{cmd} failed:\n{output}"
    return result


@pytest.fixture(scope="module")
def vsix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed")
    if not (CLIENT / "node_modules").is_dir():
        pytest.fail("vscode-client/node_modules is missing: run `bash .ci/install-vscode.sh`")
    out = tmp_path_factory.mktemp("vsix") / "tether.vsix"
    _run([npm, "run", "package"], CLIENT, 300)
    shutil.copy(CLIENT / "tether.vsix", out)
    return out


@contextlib.contextmanager
def provider_server(script_file: Path, args: list[str] | None = None) -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tether.testing.provider_server", "--script", str(script_file),
         "--port", "0", *(args or [])],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("listening on "), f"provider server said {line!r}"
        yield line.removeprefix("listening on ")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


@contextlib.contextmanager
def code_server(
    workspace: Path, user_data: Path, extensions: Path, env: dict[str, str], log: Path
) -> Iterator[str]:
    port = _free_port()
    with log.open("w") as log_file:
        proc = subprocess.Popen(
            [str(CODE_SERVER), "--auth", "none", "--bind-addr", f"127.0.0.1:{port}",
             "--user-data-dir", str(user_data), "--extensions-dir", str(extensions),
             "--disable-telemetry", "--disable-update-check", "--disable-workspace-trust",
             "--disable-getting-started-override", str(workspace)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # its own process group: killed as a whole below
        )
        try:
            url = f"http://127.0.0.1:{port}/"
            deadline = time.monotonic() + 60
            while True:
                assert proc.poll() is None, f"code-server exited: {log.read_text()[-3000:]}"
                try:
                    with urllib.request.urlopen(url + "healthz", timeout=2) as resp:
                        if resp.status == 200:
                            break
                except OSError:
                    pass
                assert time.monotonic() < deadline, "code-server did not come up in 60 s"
                time.sleep(0.3)
            yield url
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def _scenario(
    name: str,
    vsix: Path,
    tmp_path: Path,
    script: dict[str, object],
    extra_settings: dict[str, object] | None = None,
    extra_config: dict[str, object] | None = None,
    files: dict[str, str] | None = None,
    provider_args: list[str] | None = None,
) -> tuple[dict[str, object], Path, Path]:
    """Run scenario `name` of e2e.mjs in a fresh code-server; (report, hello.py, data dir)."""
    _need(CODE_SERVER, "code-server")
    _need(CHROMIUM, "chromium")
    node = shutil.which("node")
    assert node is not None

    workspace = tmp_path / "workspace"
    workspace.mkdir()
    hello = workspace / "hello.py"
    hello.write_text(ORIGINAL)
    for file_name, text in (files or {}).items():
        (workspace / file_name).write_text(text)
    data_dir = tmp_path / "tether-data"
    user_data = tmp_path / "user-data"
    extensions = tmp_path / "extensions"
    (user_data / "User").mkdir(parents=True)
    script_file = tmp_path / "script.json"
    script_file.write_text(json.dumps(script))
    artifacts = ARTIFACTS / name
    shutil.rmtree(artifacts, ignore_errors=True)
    artifacts.mkdir(parents=True)

    _run([str(CODE_SERVER), "--extensions-dir", str(extensions), "--user-data-dir",
          str(user_data), "--install-extension", str(vsix)], REPO, 120)
    assert any(p.name.startswith("tether.tether-") for p in extensions.iterdir())

    with provider_server(script_file, provider_args) as base_url:
        settings = {
            "tether.server.command": f'"{sys.executable}" -m tether serve',
            "tether.provider": "openai",
            "tether.model": "scripted",
            "tether.openaiBaseUrl": base_url + "/v1",
            "workbench.startupEditor": "none",
            "workbench.tips.enabled": False,
            "workbench.enableExperiments": False,
            "telemetry.telemetryLevel": "off",
            "extensions.autoCheckUpdates": False,
            "extensions.autoUpdate": False,
            "security.workspace.trust.enabled": False,
            "files.autoSave": "off",
            "window.restoreWindows": "none",
            **(extra_settings or {}),
        }
        (user_data / "User" / "settings.json").write_text(json.dumps(settings, indent=2))
        env = {
            **os.environ,
            "TETHER_DATA_DIR": str(data_dir),
            "OPENAI_API_KEY": "test",
            "TETHER_CONFIG": str(tmp_path / "no-config.toml"),
        }
        log = artifacts / "code-server.log"
        with code_server(workspace, user_data, extensions, env, log) as url:
            config = {
                "scenario": name,
                "url": url,
                "chromium": str(CHROMIUM),
                "artifacts": str(artifacts),
                "dataDir": str(data_dir),
                "typed": TYPED,
                "docstring": DOCSTRING.strip(),
                "title": TITLE,
                "secret": SECRET,
                **(extra_config or {}),
            }
            result = subprocess.run(
                [node, str(E2E_SCRIPT), json.dumps(config)],
                cwd=REPO,
                capture_output=True,
                text=True,
                timeout=300,
                env={**os.environ, "NODE_PATH": str(CLIENT / "node_modules")},
                check=False,
            )
            (artifacts / "e2e.log").write_text(result.stderr)
            assert result.returncode == 0, (
                f"browser steps failed (screenshots in {artifacts}):\n{result.stderr[-6000:]}"
            )
            report: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return report, hello, data_dir


def test_chat_edit_history_and_stop_in_real_vscode(vsix: Path, tmp_path: Path) -> None:
    report, hello, data_dir = _scenario("main", vsix, tmp_path, SCRIPT)
    # A command ran after the user allowed it in the chat's inline prompt.
    assert report["permissionState"] == "allow_once", report
    assert str(report["commandOutput"]).startswith("tests pass"), report
    # The answer streamed in as markdown; the context gauge shows the usage events.
    assert report["answerHasBold"], report
    assert re.fullmatch(r"[\d.]+k? / [\d.]+[kM]?", str(report["gauge"])), report
    # The edit went to the buffer, on top of the user's unsaved text; nothing hit the disk.
    assert report["editorHasEdit"] and report["editorHasTyped"], report
    assert report["dirty"], report
    assert hello.read_text() == ORIGINAL
    # The session is on disk in TETHER_DATA_DIR and showed up in the history view.
    assert TITLE in report["historyTitles"], report  # type: ignore[operator]
    assert any(data_dir.rglob("*.jsonl")), list(data_dir.rglob("*"))
    # Typing during the slow turn steered it; Stop then ended it as cancelled.
    assert report["steerShown"] and not report["steerRefused"], report
    assert report["stoppedStatus"] == "cancelled", report
    # The output channel has the server's start and the index build from `$/progress`;
    # the status bar names the model.
    assert "[tether] starting:" in str(report["outputLog"]), report
    assert "Tether: indexing workspace" in str(report["outputLog"]), report
    assert "index ready: 1 files" in str(report["outputLog"]), report
    assert "openai/scripted" in str(report["statusBar"]), report
    # History actions: rename, fork (opens the copy), filter by title, delete.
    assert "Greeting docs" in report["titlesAfterRename"], report  # type: ignore[operator]
    # Export opened an unsaved markdown document headed with the session title.
    assert "Untitled" in str(report["exportedTab"]), report
    assert "Greeting docs" in str(report["exportedTab"]), report
    assert "Greeting docs (fork)" in report["titlesAfterFork"], report  # type: ignore[operator]
    assert report["forkTranscriptUsers"] >= 1, report  # type: ignore[operator]
    assert report["titlesFiltered"] == ["workspace", "Greeting docs (fork)"], report
    assert report["titlesAfterDelete"] == ["workspace", "Greeting docs"], report
    assert report["chatClearedAfterDelete"], report


REVIEW_SCRIPT = {
    "title": "Review the docstring",
    "turns": [
        {
            "toolCalls": [
                {
                    "name": "edit",
                    "arguments": {
                        "path": "hello.py",
                        "old": "def greet(name):\n",
                        "new": "def greet(name):\n" + DOCSTRING,
                    },
                }
            ]
        },
        {"text": "Added the docstring for you to review."},
        {"text": "Back after the restart."},
        {"text": "It returns a greeting."},
    ],
}


def _file_parts(data_dir: Path) -> list[dict[str, object]]:
    """Every file attachment recorded in the session history files."""
    found: list[dict[str, object]] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            if value.get("type") == "file":
                found.append(value)
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for path in data_dir.rglob("*.jsonl"):
        for line in path.read_text().splitlines():
            with contextlib.suppress(json.JSONDecodeError):
                walk(json.loads(line))
    return found


def test_review_reject_resume_and_restart_in_real_vscode(vsix: Path, tmp_path: Path) -> None:
    report, hello, data_dir = _scenario(
        "review",
        vsix,
        tmp_path,
        REVIEW_SCRIPT,
        # A dark theme here, light in the main test: the chat uses only theme variables.
        {"tether.edits.review": True, "workbench.colorTheme": "Default Dark Modern"},
    )
    assert report["keyboardSent"], report
    # The edit opened a before/after diff; Reject reverted it in the buffer only.
    assert report["diffOpened"], report
    assert report["editorHasEditBeforeReject"], report
    assert not report["editorHasEditAfterReject"], report
    assert report["editorHasTyped"], report
    assert hello.read_text() == ORIGINAL
    assert report["newChatByKey"], report
    assert report["tabsAfterNewChatKey"] == ["hello.py"], report  # the key did nothing else
    # The session reopened from history with its transcript rebuilt from the server.
    assert report["resumedUser"] == "Add a docstring to greet()", report
    assert "Added the docstring" in str(report["resumedAnswer"]), report
    # The server was killed, restarted on its own, and the resumed session still works.
    assert report["serverRestarted"], report
    assert report["answerAfterRestart"] == "Back after the restart.", report
    # Prompts carried the active file (an <editor> block); Ask about Selection its line.
    parts = _file_parts(data_dir)
    assert parts and all(str(p["uri"]).endswith("/hello.py") for p in parts), parts
    selected = [p for p in parts if p.get("text")]
    assert selected and str(selected[-1]["text"]).startswith("def greet(name):"), parts
    assert report["selectionAnswer"] == "It returns a greeting.", report
    # Tether: Set API Key → secret storage → the restarted server, which keeps it in memory
    # only: its /proc environ no longer holds it (commands cannot read it there).
    assert report["serverHasKey"], report
    assert report["keyLeftInEnviron"] is False, report
    user_settings = (tmp_path / "user-data" / "User" / "settings.json").read_text()
    assert SECRET not in user_settings
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


MENTION_SCRIPT = {
    "title": "Explain hello.py",
    "turns": [{"text": "hello.py greets someone by name.", "usage": [1200, 300]}],
}


def test_mention_popup_and_cost_in_real_vscode(vsix: Path, tmp_path: Path) -> None:
    """`@` in the chat input completes a file; it goes as a structured mention; cost shows."""
    report, _, data_dir = _scenario(
        "mentions", vsix, tmp_path, MENTION_SCRIPT,
        {"tether.prices": {"scripted": {"input": 3, "output": 15}}},
    )
    assert report["promptAfterPick"] == "Explain @hello.py ", report
    # 1200 * 3 + 300 * 15 per million tokens
    assert "$0.0081" in str(report["gauge"]), report
    assert "$0.0081" in str(report["statusBar"]), report
    (history,) = data_dir.rglob("*.jsonl")
    records = [json.loads(line) for line in history.read_text().splitlines()]
    user = next(r["message"] for r in records
                if isinstance(r.get("message"), dict) and r["message"]["role"] == "user")
    files = [p for p in user["parts"] if p["type"] == "file"]
    # the mentioned file, with the unsaved text typed into its buffer
    assert files and files[0]["uri"].endswith("/hello.py") and TYPED in files[0]["text"], user
    editor = [p for p in user["parts"] if p.get("_meta", {}).get("context") == "editor"]
    assert editor and "Active file: hello.py (python)" in editor[0]["text"], user


CHANGES_SCRIPT = {
    "title": "Ask before editing",
    "turns": [
        {"toolCalls": [{"name": "edit", "arguments": {
            "path": "hello.py", "old": "def greet(name):\n",
            "new": "def greet(name):\n" + DOCSTRING}}]},
        {"text": "Leaving it as it is."},
        {"toolCalls": [{"name": "edit", "arguments": {
            "path": "hello.py", "old": "def greet(name):\n",
            "new": "def greet(name):\n" + DOCSTRING}},
            {"name": "write_file", "arguments": {"path": "NOTES.md", "content": "# Notes\n"}}]},
        {"text": "Added it."},
    ],
}


def test_ask_reject_with_comment_accept_and_rewind_in_real_vscode(
        vsix: Path, tmp_path: Path) -> None:
    comment = "not in this file"
    report, hello, data_dir = _scenario(
        "changes", vsix, tmp_path, CHANGES_SCRIPT, {"tether.editApproval": "ask"},
        {"comment": comment, "workspace": str(tmp_path / "workspace")})
    # The proposal showed the coloured diff with Accept; Reject left the buffer alone and
    # the model read the user's words as the tool result.
    assert "+" + DOCSTRING.rstrip("\n") in str(report["proposedDiff"]), report
    assert report["acceptLabel"] == "Accept", report
    assert DOCSTRING.strip() not in str(report["editorAfterReject"]), report
    results = [line for path in data_dir.rglob("*.jsonl")
               for line in path.read_text().splitlines() if '"role":"tool"' in line]
    assert any(comment in line and "rejected" in line for line in results), results
    # "Allow always": the edit landed in the buffer on top of the user's unsaved text, and
    # the second edit of the turn (a new, closed file) did not ask again and went to disk
    # without opening an editor for it.
    assert DOCSTRING.strip() in str(report["editorAfterAccept"]), report
    assert report["cardsInTurnTwo"] == 1, report
    assert report["notesOnDisk"] == "# Notes\n", report
    assert "NOTES.md" not in str(report["tabsAfterAccept"]), report
    assert "Tether: Keep" in str(report["codeLens"]) and "Undo" in str(report["codeLens"]), report
    # Rewind to here: the agent's edit is gone, the user's typing kept, the disk untouched.
    assert "2 file(s) restored" in str(report["rewindNotice"]), report
    assert TYPED in str(report["editorAfterRewind"]), report
    assert report["lensGone"], report
    assert hello.read_text() == ORIGINAL
    assert not (hello.parent / "NOTES.md").exists()  # the file the turn created is gone


@pytest.mark.parametrize("case", ["no-program", "no-module"])
def test_missing_server_explains_the_fix(vsix: Path, tmp_path: Path, case: str) -> None:
    if case == "no-program":
        command, problem = f"{tmp_path}/no-such-python -m tether serve", "was not found"
    else:
        # A Python without Tether installed, as `python -c "import tether"` reports it.
        fake = tmp_path / "bin" / "python3"
        fake.parent.mkdir()
        fake.write_text("#!/bin/sh\necho \"$0: No module named tether\" >&2\nexit 1\n")
        fake.chmod(0o755)
        command, problem = f"{fake} -m tether serve", "has no `tether` module"
    report, _, _ = _scenario(
        "missing-" + case, vsix, tmp_path, {"turns": []}, {"tether.server.command": command}
    )
    toast = str(report["errorToast"])
    assert problem in toast, report
    assert "pip install tether" in toast and "tether.server.command" in toast, report
    assert "Open Settings" in report["toastButtons"], report  # type: ignore[operator]
    assert report["toastCount"] == 1, report  # one clear message, not a cascade
    assert "not running" in str(report["banner"]), report


def test_long_turn_compacts_continues_and_explains_its_context(vsix: Path, tmp_path: Path
                                                                ) -> None:
    """A 9k window the provider enforces (and reports at /props): 16 reads of ~4k tokens
    each, a 12-step limit, then Continue."""
    body = "".join(f"line {n:03d}: " + "lorem ipsum dolor sit amet " * 2 + "\n" for n in range(200))
    files = {f"d{i:02d}.txt": f"data file {i}\n{body}" for i in range(16)}
    files["AGENTS.md"] = "Answer briefly.\n"
    script = {"turns": [
        *({"toolCalls": [{"name": "read_file", "arguments": {"path": name}}]}
          for name in sorted(n for n in files if n.startswith("d"))),
        {"text": "All data files read."},
    ]}
    report, _, _ = _scenario("long", vsix, tmp_path, script, {"tether.maxSteps": 12},
                             files=files, provider_args=["--context-window", "9000"])
    assert re.fullmatch(r"Context compacted: [\d.]+k → [\d.]+k tokens \(\d+ messages summarised\)",
                        str(report["compactionLine"])), report
    title = str(report["gaugeTitle"])
    assert "window 9.0k" in title and "Project rules:" in title and "AGENTS.md" in title, title
    assert "Continue resumes it" in title, title  # the step-limit checkpoint, per the server
    assert report["continueButtonsLeft"] == 0, report


def test_changed_model_setting_reaches_the_provider(vsix: Path, tmp_path: Path) -> None:
    """Change `tether.model` in a running editor, press New, send: the request to the
    provider carries the new model, and the status bar and the picker agree on it."""
    script = Script([text_turn("Answer one."), text_turn("Answer two.")], title="Models")
    with ScriptedProviderServer(script) as provider:
        report, _, _ = _scenario(
            "settings", vsix, tmp_path, {"turns": []},
            {"tether.openaiBaseUrl": provider.openai_base_url},
            {"userSettings": str(tmp_path / "user-data" / "User" / "settings.json"),
             "newModel": "changed-model", "firstAnswer": "Answer one.",
             "secondAnswer": "Answer two."},
        )
        turns = [r for r in provider.requests if r.get("tools")]
    assert [r["model"] for r in turns] == ["scripted", "changed-model"], turns
    assert "openai/changed-model" in str(report["statusBar"]), report
    assert "openai/changed-model" in str(report["statusBarAfter"]), report
    assert "changed-model" in str(report["picker"]), report


def test_unreachable_provider_is_one_error_card_with_fixes(vsix: Path, tmp_path: Path) -> None:
    """A local OpenAI-compatible server that is down: the chat says so when it opens, names
    it by what it is, and a prompt fails as one error card with editor-native fixes."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    report, _, _ = _scenario("provider-down", vsix, tmp_path, {"turns": []},
                             {"tether.openaiBaseUrl": down, "tether.requestTimeout": 3})
    state = str(report["providerState"])
    assert f"Cannot reach the OpenAI-compatible server at {down}" in state, report
    assert "OpenAI at" not in state, report
    fixes = ["Open Settings", "Set API Key", "Pick Model", "Show Log"]
    assert report["providerButtons"] == fixes, report
    assert report["errorCards"] == 1, report
    assert f"the OpenAI-compatible server at {down}" in str(report["errorCard"]), report
    assert report["cardButtons"] == fixes, report
    assert not report["failedLineVisible"], report
    assert "Failed:" not in str(report["transcriptText"]), report
    assert "tether.openaiBaseUrl" in str(report["settingsSearch"]), report


def test_reopened_window_shows_the_last_session(vsix: Path, tmp_path: Path) -> None:
    """Reload the window: the chat shows the workspace's last session, not an empty chat;
    Tether: Open Chat in Editor shows the same chat in an editor tab."""
    with ScriptedProviderServer(Script([text_turn("Noted.")], title="Restore")) as provider:
        report, _, _ = _scenario(
            "restore", vsix, tmp_path, {"turns": []},
            {"tether.openaiBaseUrl": provider.openai_base_url},
            {"prompt": "Remember this chat", "answer": "Noted."},
        )
    assert report["restoredUser"] == "Remember this chat", report
    assert report["restoredAnswer"] == "Noted.", report
    assert report["chatFrames"] >= 2, report  # type: ignore[operator]


HISTORY_SCRIPT = {
    "title": "Fix add function",
    "turns": [
        {"toolCalls": [{"name": "write_file", "arguments": {
            "path": "calc.py", "content": "def add(a, b):\n    return a + b\n"}}]},
        {"text": "Fixed add in calc.py."},
        {"text": "never sent", "fault": "401", "faultTimes": 99},
    ],
}


def test_history_rows_and_secondary_side_bar_in_real_vscode(vsix: Path, tmp_path: Path
                                                             ) -> None:
    """Issue 15 (VS Code 6 and 4): sessions titled alike are told apart in the History view
    by their first prompt line and files touched; a failed one has the error icon; the
    search finds a word of the first prompt; the chat moves to the Secondary Side Bar."""
    fixed = "The add function subtracts instead of adding"
    failed = "Try the add function once more"
    report, _, _ = _scenario("history-rows", vsix, tmp_path, HISTORY_SCRIPT, extra_config={
        "title": "Fix add function", "fixedPrompt": fixed, "failedPrompt": failed,
        "promptWord": "subtracts"})
    assert report["fixedTitle"] == "Fix add function", report
    description = str(report["fixedDescription"])
    assert f"“{fixed}”" in description and "1 file" in description, report
    assert str(report["failedDescription"]).startswith("failed · "), report
    assert failed in str(report["failedTitle"]) + str(report["failedDescription"]), report
    assert "Last turn failed" in str(report["failedTooltip"]), report
    search = report["searchRows"]
    assert isinstance(search, list) and len(search) == 2, report
    assert "«subtracts»" in search[1], report
    assert report["historyFolded"], report
    assert report["chatInSecondarySideBar"] and report["chatUsableThere"], report
    assert report["historyStillInSideBar"], report


APPLIED = "    name = name.strip()"
CODE_BLOCK_SCRIPT = {
    "title": "Strip the name",
    "turns": [{"text": ("In `hello.py`:\n\n```python\ndef greet(name):\n" + APPLIED + "\n"
                        '    return f"Hello, {name}!"\n```\n')}],
}


def test_code_block_highlighted_and_applied_in_real_vscode(vsix: Path, tmp_path: Path) -> None:
    """A code block in the answer is highlighted in the theme's colours; Apply to File puts
    it into the open, dirty hello.py through the server's edit path; Undo takes it back."""
    report, hello, _ = _scenario("codeblocks", vsix, tmp_path, CODE_BLOCK_SCRIPT,
                                 extra_config={"applied": APPLIED.strip()})
    assert report["codeLang"] == "python · hello.py", report
    assert {"hljs-keyword", "hljs-title function_", "hljs-string"} <= set(
        report["tokenClasses"]), report  # type: ignore[arg-type]
    colours = report["colours"]
    assert isinstance(colours, dict) and colours["keyword"] not in (None, colours["plain"]), report
    assert str(report["codeText"]).startswith("def greet(name):\n" + APPLIED), report
    # The block replaced lines 1-2 of the buffer, on top of the user's unsaved typing.
    after = str(report["editorAfterApply"])
    assert after.index("def greet") < after.index(APPLIED.strip()) < after.index("return"), after
    assert TYPED in after and report["dirtyAfterApply"] == 1, report
    assert "+1" in str(report["editRow"]), report
    # The card names the block as the user's, with the file chip and counts of an edit row.
    summary = str(report["cardSummary"])
    assert "Applied code block" in summary and "hello.py" in summary and "+1" in summary, report
    assert str(report["undoNotice"]).startswith(
        "Undone: the code block you applied to hello.py"), report
    # Reviewable like an agent edit: the editor's Keep / Undo lens is over the block.
    assert "Tether: Keep" in str(report["codeLensAfterApply"]), report
    assert hello.read_text() == ORIGINAL  # the buffer took it, not the disk
    undone = str(report["editorAfterUndo"])
    assert APPLIED.strip() not in undone and TYPED in undone, report
    # Switching to a dark theme recoloured the tokens: they follow the theme's variables.
    dark = report["darkColours"]
    assert isinstance(dark, dict) and dark["keyword"] != dark["plain"], report
