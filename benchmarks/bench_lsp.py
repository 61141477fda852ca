"""LSP benchmarks (issue 3), each against a baseline measured in the same run.

(a) `initialize` round trip: spawn `tether serve` and a bare pygls server
    (`bare_pygls_server.py`) alternately over stdio, time spawn → initialize result.
    Goal: Tether <= 2x the bare server.
(b) Streaming: one model answer of 20,000 one-character deltas from the local scripted
    provider server (`python -m tether.testing.provider_server`, in its own process as a
    real provider is remote), through a spawned `tether serve` (create a session, prompt, count
    `tether/session/event` notifications until the terminal event) versus a bare httpx
    client consuming the same SSE stream. Goal: Tether <= 1.3x the bare client. Also
    prints the number of notifications Tether sent (deltas are coalesced) and checks that
    not a character was lost on either path.

    python benchmarks/bench_lsp.py [--quick] [--runs N] [--deltas N] [--profile PATH]

`--profile PATH` runs the streaming server under cProfile and writes its stats to PATH
(`python -m pstats PATH`); its figures are then the profiled server's, not the budget's.

Prints figures and ratios only; it asserts nothing about time (machines are noisy).
Exits non-zero if a run fails or loses text.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
TETHER_CMD = [sys.executable, "-m", "tether", "serve"]
BARE_CMD = [sys.executable, str(HERE / "bare_pygls_server.py")]
TERMINAL = {"turn_completed", "turn_cancelled", "turn_failed", "step_limit_reached"}
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789 "


class RpcError(Exception):
    """A JSON-RPC error response, or a server that died mid-request."""


class RpcClient:
    """A minimal LSP client over a subprocess's stdio: framing, ids, server requests.

    Kept tiny on purpose so the client's own cost does not blur what is measured.
    """

    def __init__(self, proc: asyncio.subprocess.Process, stderr_path: Path) -> None:
        self.proc = proc
        self.stderr_path = stderr_path
        self.on_notification: Callable[[str, Any], None] = lambda method, params: None
        self.settings: dict[str, Any] = {}
        self._next_id = 0
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._reader = asyncio.create_task(self._read_loop())

    @classmethod
    async def spawn(cls, cmd: list[str], env: dict[str, str], stderr_path: Path) -> RpcClient:
        with stderr_path.open("ab") as err:
            proc = await asyncio.create_subprocess_exec(
                *cmd, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=err, env=env,
            )
        return cls(proc, stderr_path)

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message, separators=(",", ":")).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

    async def request(self, method: str, params: Any) -> Any:
        self._next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[self._next_id] = future
        self._send({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params})
        return await future

    def notify(self, method: str, params: Any) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    async def _read_loop(self) -> None:
        reader = self.proc.stdout
        assert reader is not None
        try:
            while True:
                header = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in header.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                self._dispatch(json.loads(await reader.readexactly(length)))
        except (asyncio.IncompleteReadError, ConnectionError):
            tail = self.stderr_path.read_text(errors="replace")[-2000:]
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(RpcError(f"server exited; stderr:\n{tail}"))

    def _dispatch(self, msg: dict[str, Any]) -> None:
        if "method" not in msg:
            future = self._pending.pop(msg["id"], None)
            if future is not None and not future.done():
                if "error" in msg:
                    future.set_exception(RpcError(json.dumps(msg["error"])))
                else:
                    future.set_result(msg.get("result"))
        elif "id" in msg:
            result = self._answer(msg["method"], msg.get("params"))
            self._send({"jsonrpc": "2.0", "id": msg["id"], "result": result})
        else:
            self.on_notification(msg["method"], msg.get("params"))

    def _answer(self, method: str, params: Any) -> Any:
        """Answers to server → client requests, as a cooperative editor would give."""
        if method == "workspace/configuration":
            return [self.settings for _ in (params or {}).get("items", [])]
        if method == "tether/permission/request":
            return {"option": "allow_once"}
        if method == "window/showMessageRequest":
            return {"title": "Allow once"}
        if method == "workspace/applyEdit":
            return {"applied": False, "failureReason": "benchmark client applies no edits"}
        return None

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self.request("shutdown", None), 10)
            self.notify("exit", None)
            await asyncio.wait_for(self.proc.wait(), 10)
        except (RpcError, TimeoutError, ConnectionError):
            pass
        finally:
            if self.proc.returncode is None:
                self.proc.kill()
                await self.proc.wait()
            self._reader.cancel()


def initialize_params(folder: Path) -> dict[str, Any]:
    return {
        "processId": os.getpid(),
        "clientInfo": {"name": "bench_lsp"},
        "rootUri": folder.as_uri(),
        "workspaceFolders": [{"uri": folder.as_uri(), "name": folder.name}],
        "capabilities": {
            "workspace": {"configuration": True, "workspaceFolders": True},
            "window": {"workDoneProgress": False},
            "experimental": {"tether": {"permissions": True}},
        },
    }


@dataclass
class Env:
    """Isolated directories and environment for every spawned server."""

    root: Path
    folder: Path = field(init=False)
    vars: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.folder = self.root / "workspace"
        self.folder.mkdir()
        (self.folder / "hello.py").write_text("def greet(name):\n    return name\n")
        self.vars = {
            **os.environ,
            "TETHER_DATA_DIR": str(self.root / "data"),
            "TETHER_CONFIG": str(self.root / "no-config.toml"),
            "XDG_CONFIG_HOME": str(self.root / "config"),
            "XDG_CACHE_HOME": str(self.root / "cache"),
        }


# -- (a) initialize round trip ---------------------------------------------------------


async def time_initialize(cmd: list[str], env: Env) -> tuple[float, float | None]:
    """Wall seconds from spawn to the initialize result, and the server's CPU until then."""
    start = time.perf_counter()
    client = await RpcClient.spawn(cmd, env.vars, env.root / "stderr.log")
    result = await asyncio.wait_for(client.request("initialize", initialize_params(env.folder)), 60)
    elapsed = time.perf_counter() - start
    cpu = process_cpu(client.proc.pid)
    assert isinstance(result, dict) and "capabilities" in result, result
    client.notify("initialized", {})
    await client.close()
    return elapsed, cpu


async def bench_initialize(env: Env, runs: int, warmup: bool) -> dict[str, Any]:
    if warmup:  # warm the OS file cache and .pyc files
        await time_initialize(TETHER_CMD, env)
        await time_initialize(BARE_CMD, env)
    tether, bare = [], []
    for _ in range(runs):
        tether.append(await time_initialize(TETHER_CMD, env))
        bare.append(await time_initialize(BARE_CMD, env))
    tether_cpu = [c for _, c in tether if c is not None]
    bare_cpu = [c for _, c in bare if c is not None]
    return {
        "tether_s": statistics.median(t for t, _ in tether),
        "bare_s": statistics.median(t for t, _ in bare),
        "tether_min_s": min(t for t, _ in tether),
        "bare_min_s": min(t for t, _ in bare),
        "tether_cpu_s": statistics.median(tether_cpu) if tether_cpu else None,
        "bare_cpu_s": statistics.median(bare_cpu) if bare_cpu else None,
        "runs": runs,
    }


# -- (b) streamed deltas ---------------------------------------------------------------


@dataclass
class BareRun:
    seconds: float
    cpu_s: float  # this process's CPU: the httpx client alone (the provider runs apart)
    deltas: int
    text: str


def process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) a process has used so far; None off Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def bare_stream(base_url: str) -> BareRun:
    """Consume the scripted SSE stream directly, as a plain client would."""
    body = {"model": "bench", "stream": True, "messages": [{"role": "user", "content": "go"}]}
    parts: list[str] = []
    async with httpx.AsyncClient(timeout=httpx.Timeout(120)) as http:
        start, cpu_start = time.perf_counter(), time.process_time()
        async with http.stream("POST", f"{base_url}/chat/completions", json=body,
                               headers={"Authorization": "Bearer test"}) as resp:
            resp.raise_for_status()
            buffer = b""
            done = False
            async for chunk in resp.aiter_bytes():
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    line = line.rstrip(b"\r")
                    if not line.startswith(b"data:"):
                        continue
                    data = line[5:].strip()
                    if data == b"[DONE]":
                        done = True
                        break
                    for choice in json.loads(data).get("choices", []):
                        text = (choice.get("delta") or {}).get("content")
                        if text:
                            parts.append(text)
                if done:
                    break
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    return BareRun(elapsed, cpu, len(parts), "".join(parts))


@dataclass
class TetherRun:
    seconds: float
    server_cpu_s: float | None  # the tether process's CPU during the turn
    notifications: int
    text_deltas: int
    text: str
    terminal: str


async def tether_prompt(client: RpcClient, session_id: str) -> TetherRun:
    loop = asyncio.get_running_loop()
    done: asyncio.Future[str] = loop.create_future()
    parts: list[str] = []
    counts = {"notifications": 0, "deltas": 0}

    def on_notification(method: str, params: Any) -> None:
        if method != "tether/session/event" or params.get("sessionId") != session_id:
            return
        counts["notifications"] += 1
        event = params["event"]
        if event["type"] == "text_delta":
            counts["deltas"] += 1
            parts.append(event["text"])
        elif event["type"] in TERMINAL and not done.done():
            done.set_result(event["type"])

    client.on_notification = on_notification
    cpu_start = process_cpu(client.proc.pid)
    start = time.perf_counter()
    result = await asyncio.wait_for(
        client.request("tether/session/prompt", {"sessionId": session_id, "text": "go"}), 300
    )
    terminal = await asyncio.wait_for(done, 30)
    elapsed = time.perf_counter() - start
    cpu_end = process_cpu(client.proc.pid)
    cpu = None if cpu_start is None or cpu_end is None else cpu_end - cpu_start
    if result.get("status") != "completed":
        raise RpcError(f"turn ended {result.get('status')}: {result.get('reason')}")
    return TetherRun(elapsed, cpu, counts["notifications"], counts["deltas"], "".join(parts),
                     terminal)


async def start_provider(env: Env, text: str) -> tuple[asyncio.subprocess.Process, str]:
    """The scripted provider server in its own process (as a real provider is remote), so
    neither path shares a GIL with the producer. Returns it and its OpenAI base URL."""
    script = env.root / "script.json"
    script.write_text(json.dumps({"turns": [{"text": text, "chunkSize": 1}],
                                  "repeatLast": True}))
    with (env.root / "provider.log").open("ab") as err:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tether.testing.provider_server", "--script", str(script),
            "--port", "0", stdout=asyncio.subprocess.PIPE, stderr=err, env=env.vars,
        )
    assert proc.stdout is not None
    line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode().strip()
    if not line.startswith("listening on "):
        proc.kill()
        raise RpcError(f"provider server did not start: {line!r}")
    return proc, line.removeprefix("listening on ") + "/v1"


async def bench_stream(env: Env, runs: int, deltas: int, warmup: bool,
                       profile: Path | None = None) -> dict[str, Any]:
    expected = (ALPHABET * (deltas // len(ALPHABET) + 1))[:deltas]
    provider, base_url = await start_provider(env, expected)
    cmd = TETHER_CMD if profile is None else [
        sys.executable, "-m", "cProfile", "-o", str(profile), *TETHER_CMD[1:]]
    try:
        vars_ = {**env.vars, "TETHER_PROVIDER": "openai", "OPENAI_BASE_URL": base_url,
                 "OPENAI_API_KEY": "test", "TETHER_MODEL": "bench"}
        client = await RpcClient.spawn(cmd, vars_, env.root / "stderr.log")
        client.settings = {"titleGeneration": False}
        try:
            await asyncio.wait_for(client.request("initialize", initialize_params(env.folder)), 60)
            client.notify("initialized", {})
            created = await client.request(
                "tether/session/create", {"folderUri": env.folder.as_uri(), "title": "bench"}
            )
            session_id = created["sessionId"]
            if warmup:  # lazy imports, first connection
                await tether_prompt(client, session_id)
                await bare_stream(base_url)
            tether_runs: list[TetherRun] = []
            bare_runs: list[BareRun] = []
            for _ in range(runs):
                tether_runs.append(await tether_prompt(client, session_id))
                bare_runs.append(await bare_stream(base_url))
        finally:
            await client.close()
    finally:
        provider.kill()
        await provider.wait()
    lost = [r for r in tether_runs if r.text != expected] + [
        r for r in bare_runs if r.text != expected
    ]
    if lost:
        raise RpcError(f"{len(lost)} run(s) lost or reordered text")
    server_cpu = [r.server_cpu_s for r in tether_runs if r.server_cpu_s is not None]
    return {
        "tether_s": statistics.median(r.seconds for r in tether_runs),
        "bare_s": statistics.median(r.seconds for r in bare_runs),
        "tether_min_s": min(r.seconds for r in tether_runs),
        "bare_min_s": min(r.seconds for r in bare_runs),
        "tether_cpu_s": statistics.median(server_cpu) if server_cpu else None,
        "bare_cpu_s": statistics.median(r.cpu_s for r in bare_runs),
        "notifications": statistics.median(r.notifications for r in tether_runs),
        "text_delta_notifications": statistics.median(r.text_deltas for r in tether_runs),
        "provider_deltas": bare_runs[0].deltas,
        "runs": runs,
    }


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("inf")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="tether-bench-") as tmp:
        env = Env(Path(tmp))
        init = await bench_initialize(env, args.runs, not args.quick)
        print(f"(a) initialize round trip, median of {init['runs']} spawns each:")
        print(f"    tether serve      {init['tether_s'] * 1000:8.1f} ms")
        print(f"    bare pygls        {init['bare_s'] * 1000:8.1f} ms")
        ratio_a = _ratio(init["tether_s"], init["bare_s"])
        print(f"    ratio             {ratio_a:8.2f}x   (goal <= 2x; of the fastest runs: "
              f"{_ratio(init['tether_min_s'], init['bare_min_s']):.2f}x)")
        if init["tether_cpu_s"] is not None and init["bare_cpu_s"] is not None:
            print(f"    cpu until ready   {init['tether_cpu_s'] * 1000:8.1f} ms in tether serve, "
                  f"{init['bare_cpu_s'] * 1000:.1f} ms in bare pygls "
                  f"({_ratio(init['tether_cpu_s'], init['bare_cpu_s']):.2f}x)")
        stream = await bench_stream(env, args.runs, args.deltas, not args.quick, args.profile)
        print(f"(b) {args.deltas} streamed deltas, median of {stream['runs']} runs each:")
        print(f"    through tether    {stream['tether_s'] * 1000:8.1f} ms")
        print(f"    bare httpx SSE    {stream['bare_s'] * 1000:8.1f} ms")
        ratio_b = _ratio(stream["tether_s"], stream["bare_s"])
        print(f"    ratio             {ratio_b:8.2f}x   (goal <= 1.3x; of the fastest runs: "
              f"{_ratio(stream['tether_min_s'], stream['bare_min_s']):.2f}x)")
        if stream["tether_cpu_s"] is not None:
            print(f"    cpu per turn      {stream['tether_cpu_s'] * 1000:8.1f} ms in tether serve, "
                  f"{stream['bare_cpu_s'] * 1000:.1f} ms in the bare client "
                  f"({_ratio(stream['tether_cpu_s'], stream['bare_cpu_s']):.2f}x)")
        print(f"    notifications     {stream['notifications']:8.0f}   "
              f"({stream['text_delta_notifications']:.0f} text_delta for "
              f"{stream['provider_deltas']} provider deltas; no character lost)")
        sys.stdout.flush()
        return {"initialize": init | {"ratio": ratio_a}, "stream": stream | {"ratio": ratio_b}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 run, 2,000 deltas, no warm-up")
    parser.add_argument("--runs", type=int, default=5, help="runs per side (default 5)")
    parser.add_argument("--deltas", type=int, default=20_000, help="deltas streamed")
    parser.add_argument("--json", type=Path, default=None, help="also write figures here")
    parser.add_argument("--profile", type=Path, default=None, metavar="PATH",
                        help="run the streaming server under cProfile, stats written to PATH")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.deltas = 1, 2_000
    figures = asyncio.run(run(args))
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
