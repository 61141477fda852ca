/**
 * Connecting to a Tether server that runs elsewhere (`tether serve --tcp` / `--ws`),
 * set by `tether.server.remote`: `tcp://host:port` or `ws://host:port` (`wss://` too).
 *
 * Both transports need the server's token (kept in SecretStorage, see secrets.ts):
 * TCP sends it in `initializationOptions.tether.token`, WebSocket as
 * `Authorization: Bearer TOKEN` on the upgrade. No `Origin` header is sent: the server
 * refuses browser origins. Pure Node (no `vscode` import), so it is unit-tested.
 */
import * as net from "node:net";
import {
  AbstractMessageReader,
  AbstractMessageWriter,
  type DataCallback,
  type Disposable,
  type Message,
  type MessageReader,
  type MessageWriter,
} from "vscode-jsonrpc/node";

import { connectWebSocket, type WebSocketConnection } from "./websocket";

export type RemoteAddress =
  | { transport: "tcp"; host: string; port: number; label: string }
  | { transport: "ws"; url: URL; label: string };

export class RemoteAddressError extends Error {}

/** `tcp://host:port`, `ws://host:port[/path]` or `wss://...`; throws RemoteAddressError. */
export function parseRemoteAddress(value: string): RemoteAddress {
  const text = value.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RemoteAddressError(
      `tether.server.remote must be tcp://HOST:PORT or ws://HOST:PORT, got "${value}"`,
    );
  }
  if (url.protocol === "tcp:") {
    const port = Number(url.port);
    if (!url.hostname || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new RemoteAddressError(`tether.server.remote needs a host and a port: "${value}"`);
    }
    const host = url.hostname.replace(/^\[|\]$/g, "");
    return { transport: "tcp", host, port, label: `tcp://${url.host}` };
  }
  if (url.protocol === "ws:" || url.protocol === "wss:") {
    if (!url.hostname) throw new RemoteAddressError(`tether.server.remote needs a host: "${value}"`);
    return { transport: "ws", url, label: url.href };
  }
  throw new RemoteAddressError(
    `tether.server.remote: unsupported scheme ${url.protocol} (use tcp:// or ws://)`,
  );
}

/** What LanguageClient's server options may return: a stream pair or message transports. */
export type Transports =
  | { reader: MessageReader; writer: MessageWriter }
  | { reader: NodeJS.ReadableStream; writer: NodeJS.WritableStream };

/** `initializationOptions` for the address: the token rides in initialize over TCP only. */
export function remoteInitializationOptions(
  address: RemoteAddress,
  token: string | undefined,
): Record<string, unknown> | undefined {
  return address.transport === "tcp" && token ? { tether: { token } } : undefined;
}

/** Open the connection; rejects with a message fit for the user. */
export async function openRemote(
  address: RemoteAddress,
  token: string | undefined,
  timeoutMs = 10_000,
): Promise<Transports> {
  if (address.transport === "tcp") {
    const socket = await openTcp(address.host, address.port, timeoutMs);
    return { reader: socket, writer: socket };
  }
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  const ws = await connectWebSocket(address.url, headers, timeoutMs);
  return { reader: new WebSocketReader(ws), writer: new WebSocketWriter(ws) };
}

function openTcp(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from ${host}:${port} within ${timeoutMs / 1000}s`));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot connect to ${host}:${port}: ${err.message}`));
    });
  });
}

/** One JSON-RPC message per WebSocket message, no Content-Length headers (as the server). */
export class WebSocketReader extends AbstractMessageReader implements MessageReader {
  private callback: DataCallback | undefined;
  private readonly pending: Message[] = [];

  constructor(ws: WebSocketConnection) {
    super();
    ws.onMessage((text) => {
      let message: Message;
      try {
        message = JSON.parse(text) as Message;
      } catch (err) {
        this.fireError(err);
        return;
      }
      if (this.callback) this.callback(message);
      else this.pending.push(message);
    });
    ws.onClose(() => this.fireClose());
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    for (const message of this.pending.splice(0)) callback(message);
    return { dispose: () => (this.callback = undefined) };
  }
}

export class WebSocketWriter extends AbstractMessageWriter implements MessageWriter {
  private errors = 0;

  constructor(private readonly ws: WebSocketConnection) {
    super();
    ws.onClose(() => this.fireClose());
  }

  async write(msg: Message): Promise<void> {
    try {
      this.ws.send(JSON.stringify(msg));
    } catch (err) {
      this.errors++;
      this.fireError(err, msg, this.errors);
      throw err;
    }
  }

  end(): void {
    this.ws.close();
  }
}
