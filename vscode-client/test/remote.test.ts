/**
 * `tether.server.remote`: address parsing, the WebSocket framing, and the connection
 * code against a real `tether serve --tcp` / `--ws` (Python, started here on port 0).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { createMessageConnection, type MessageConnection } from "vscode-jsonrpc/node";

import { openRemote, parseRemoteAddress, RemoteAddressError, remoteInitializationOptions } from "../src/server/remote";
import { decodeFrame, encodeFrame, WebSocketError } from "../src/server/websocket";

const TOKEN = "vscode-remote-test-token";
const PYTHON = process.env.TETHER_PYTHON ?? "python3";

describe("parseRemoteAddress", () => {
  test("tcp and ws addresses", () => {
    assert.deepEqual(parseRemoteAddress("tcp://127.0.0.1:7777"), {
      transport: "tcp",
      host: "127.0.0.1",
      port: 7777,
      label: "tcp://127.0.0.1:7777",
    });
    const v6 = parseRemoteAddress("tcp://[::1]:7777");
    assert.equal(v6.transport === "tcp" && v6.host, "::1");
    const ws = parseRemoteAddress(" ws://box.lan:8000/lsp ");
    assert.equal(ws.transport, "ws");
    assert.equal(ws.transport === "ws" && ws.url.pathname, "/lsp");
    assert.equal(parseRemoteAddress("wss://box.lan").transport, "ws");
  });

  test("malformed addresses are clear errors", () => {
    for (const bad of ["127.0.0.1:7777", "tcp://host", "http://host:1", "tcp://:7777", ""]) {
      assert.throws(() => parseRemoteAddress(bad), RemoteAddressError, bad);
    }
  });

  test("the token goes in initializationOptions over TCP only", () => {
    assert.deepEqual(remoteInitializationOptions(parseRemoteAddress("tcp://h:1"), "t"), {
      tether: { token: "t" },
    });
    assert.equal(remoteInitializationOptions(parseRemoteAddress("ws://h:1"), "t"), undefined);
  });
});

describe("WebSocket frames", () => {
  test("client frames are masked and decode back, at every length boundary", () => {
    for (const size of [0, 1, 125, 126, 65535, 65536, 200_000]) {
      const payload = Buffer.alloc(size, 0x61);
      const frame = encodeFrame(0x1, payload);
      assert.equal(frame[1] & 0x80, 0x80, "masked");
      const decoded = decodeFrame(frame);
      assert.ok(decoded);
      assert.equal(decoded.size, frame.length);
      assert.equal(decoded.fin, true);
      assert.equal(decoded.opcode, 1);
      assert.ok(decoded.payload.equals(payload), `size ${size}`);
      assert.equal(decodeFrame(frame.subarray(0, frame.length - 1)), null, "partial: wait");
    }
  });

  test("an unmasked server frame with a 16-bit length", () => {
    const body = Buffer.from("x".repeat(300));
    const frame = Buffer.concat([Buffer.from([0x81, 126, 0x01, 0x2c]), body]);
    const decoded = decodeFrame(frame);
    assert.ok(decoded && decoded.payload.equals(body) && decoded.size === frame.length);
  });
});

interface Server {
  proc: ChildProcess;
  port: number;
}

function startServer(flag: "--tcp" | "--ws", dir: string): Promise<Server> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(TETHER_|OPENAI_|ANTHROPIC_)/.test(key)) delete env[key];
  }
  Object.assign(env, {
    TETHER_TOKEN: TOKEN,
    TETHER_DATA_DIR: path.join(dir, "data"),
    TETHER_CONFIG: path.join(dir, "none.toml"),
    TETHER_PROVIDER: "openai",
    OPENAI_API_KEY: "test",
    XDG_RUNTIME_DIR: dir,
  });
  const proc = spawn(PYTHON, ["-m", "tether", "serve", flag, "127.0.0.1:0"], { env, stdio: "pipe" });
  return new Promise((resolve, reject) => {
    let stderr = "";
    const timer = setTimeout(() => reject(new Error(`server did not listen: ${stderr}`)), 30_000);
    proc.stderr?.on("data", (data: Buffer) => {
      stderr += data.toString("utf8");
      const match = /listening on \w+:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve({ proc, port: Number(match[1]) });
      }
    });
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${PYTHON} -m tether serve ${flag} exited (${code}): ${stderr}`));
    });
  });
}

async function connect(address: string, token: string | undefined): Promise<MessageConnection> {
  const transports = await openRemote(parseRemoteAddress(address), token, 10_000);
  const connection =
    "listen" in transports.reader
      ? createMessageConnection(transports.reader, transports.writer as never)
      : createMessageConnection(transports.reader, transports.writer as NodeJS.WritableStream);
  connection.listen();
  return connection;
}

function initialize(connection: MessageConnection, address: string, token?: string): Promise<unknown> {
  return connection.sendRequest("initialize", {
    processId: null,
    rootUri: null,
    capabilities: {},
    initializationOptions: remoteInitializationOptions(parseRemoteAddress(address), token),
  });
}

function tetherCaps(result: unknown): Record<string, unknown> {
  return (result as { capabilities: { experimental: { tether: Record<string, unknown> } } })
    .capabilities.experimental.tether;
}

describe("a real tether serve", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tether-remote-"));
  let ws: Server;
  let tcp: Server;

  before(async () => {
    [ws, tcp] = await Promise.all([startServer("--ws", dir), startServer("--tcp", dir)]);
  });

  after(() => {
    ws?.proc.kill();
    tcp?.proc.kill();
  });

  test("ws: the bearer token opens the connection; initialize and a tether request answer", async () => {
    const address = `ws://127.0.0.1:${ws.port}`;
    const connection = await connect(address, TOKEN);
    const result = await initialize(connection, address);
    assert.ok(tetherCaps(result).protocolVersion);
    connection.sendNotification("initialized", {});
    const models = (await connection.sendRequest("tether/models/list", {})) as { default: string };
    assert.match(models.default, /^openai\//);
    connection.dispose();
  });

  test("ws: a wrong or missing token is refused with 401 before any LSP", async () => {
    for (const token of ["wrong", undefined]) {
      await assert.rejects(
        openRemote(parseRemoteAddress(`ws://127.0.0.1:${ws.port}`), token),
        (err: unknown) => err instanceof WebSocketError && err.status === 401,
      );
    }
  });

  test("tcp: the token in initializationOptions is let in", async () => {
    const address = `tcp://127.0.0.1:${tcp.port}`;
    const connection = await connect(address, TOKEN);
    const result = await initialize(connection, address, TOKEN);
    assert.ok((tetherCaps(result).methods as string[]).includes("tether/session/create"));
    connection.dispose();
  });

  test("tcp: initialize without the token is refused", async () => {
    const address = `tcp://127.0.0.1:${tcp.port}`;
    const connection = await connect(address, undefined);
    await assert.rejects(initialize(connection, address, undefined), (err: unknown) => {
      return (err as { code?: number }).code === -32013;
    });
    connection.dispose();
  });
});
