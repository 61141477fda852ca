/**
 * A WebSocket client (RFC 6455) for `tether serve --ws`, small enough to read: the HTTP
 * upgrade with our own headers, masked text frames out, text/binary/ping/close frames in.
 *
 * Why not a library or the global `WebSocket`: the standard WebSocket API cannot send an
 * `Authorization` header (the server requires `Bearer TOKEN` on the upgrade), Node 20 has
 * no stable global WebSocket, and an extension that bundles a dependency for ~150 lines of
 * framing is harder to audit. No extensions are offered (no compression). Pure Node.
 */
import * as crypto from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import type { Duplex } from "node:stream";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const MAX_MESSAGE = 256 * 1024 * 1024;

export class WebSocketError extends Error {
  constructor(
    message: string,
    /** The HTTP status when the server refused the upgrade (401, 403...). */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface WebSocketConnection {
  send(text: string): void;
  close(): void;
  onMessage(listener: (text: string) => void): void;
  onClose(listener: (reason: string) => void): void;
}

/** Upgrade `url` (ws: or wss:) with `headers`; rejects with the server's answer on refusal. */
export function connectWebSocket(
  url: URL,
  headers: Record<string, string>,
  timeoutMs = 10_000,
): Promise<WebSocketConnection> {
  return new Promise((resolve, reject) => {
    if (url.protocol !== "ws:" && url.protocol !== "wss:") {
      reject(new WebSocketError(`not a WebSocket URL: ${url.href}`));
      return;
    }
    const key = crypto.randomBytes(16).toString("base64");
    const request = (url.protocol === "wss:" ? https : http).request({
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port: url.port || (url.protocol === "wss:" ? 443 : 80),
      path: `${url.pathname || "/"}${url.search}`,
      headers: {
        ...headers,
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Key": key,
        "Sec-WebSocket-Version": "13",
      },
    });
    request.setTimeout(timeoutMs, () => {
      request.destroy(new WebSocketError(`no answer from ${url.host} within ${timeoutMs / 1000}s`));
    });
    request.on("error", reject);
    request.on("response", (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        if (body.length < 2000) body += chunk;
      });
      response.on("end", () => {
        const status = response.statusCode ?? 0;
        const why = body.trim() || response.statusMessage || "";
        reject(new WebSocketError(`${url.host} refused the WebSocket: ${status} ${why}`, status));
      });
    });
    request.on("upgrade", (response, socket, head) => {
      const expected = crypto.createHash("sha1").update(key + GUID).digest("base64");
      if (response.headers["sec-websocket-accept"] !== expected) {
        socket.destroy();
        reject(new WebSocketError(`${url.host} answered the upgrade with a wrong accept key`));
        return;
      }
      socket.setTimeout(0);
      resolve(new Connection(socket, head));
    });
    request.end();
  });
}

class Connection implements WebSocketConnection {
  private buffer: Buffer;
  private fragments: Buffer[] = [];
  private fragmentBytes = 0;
  private closed = false;
  private readonly messageListeners: ((text: string) => void)[] = [];
  private readonly closeListeners: ((reason: string) => void)[] = [];

  constructor(
    private readonly socket: Duplex,
    head: Buffer,
  ) {
    this.buffer = head;
    socket.on("data", (chunk: Buffer) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.drain();
    });
    socket.on("close", () => this.finish("connection closed"));
    socket.on("error", (err) => this.finish(err.message));
    if (head.length) queueMicrotask(() => this.drain());
  }

  onMessage(listener: (text: string) => void): void {
    this.messageListeners.push(listener);
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListeners.push(listener);
  }

  send(text: string): void {
    if (!this.closed) this.socket.write(encodeFrame(0x1, Buffer.from(text, "utf8")));
  }

  close(): void {
    if (this.closed) return;
    this.socket.write(encodeFrame(0x8, Buffer.from([0x03, 0xe8]))); // 1000: normal
    this.socket.end();
    this.finish("closed by the client");
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.closeListeners) listener(reason);
  }

  private drain(): void {
    for (;;) {
      const frame = decodeFrame(this.buffer);
      if (frame === null) return;
      this.buffer = this.buffer.subarray(frame.size);
      if (frame.error) {
        this.socket.destroy();
        this.finish(frame.error);
        return;
      }
      this.handle(frame.opcode, frame.fin, frame.payload);
    }
  }

  private handle(opcode: number, fin: boolean, payload: Buffer): void {
    if (opcode === 0x9) {
      if (!this.closed) this.socket.write(encodeFrame(0xa, payload)); // pong
      return;
    }
    if (opcode === 0xa) return;
    if (opcode === 0x8) {
      if (!this.closed) this.socket.end(encodeFrame(0x8, payload.subarray(0, 2)));
      this.finish(payload.length > 2 ? payload.subarray(2).toString("utf8") : "closed by the server");
      return;
    }
    // text, binary, or a continuation of either
    this.fragments.push(payload);
    this.fragmentBytes += payload.length;
    if (this.fragmentBytes > MAX_MESSAGE) {
      this.socket.destroy();
      this.finish(`message over ${MAX_MESSAGE} bytes`);
      return;
    }
    if (!fin) return;
    const text = Buffer.concat(this.fragments).toString("utf8");
    this.fragments = [];
    this.fragmentBytes = 0;
    for (const listener of this.messageListeners) listener(text);
  }
}

interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
  size: number;
  error?: string;
}

/** One frame from the start of `data`, or null until it has fully arrived. */
export function decodeFrame(data: Buffer): Frame | null {
  if (data.length < 2) return null;
  const fin = (data[0] & 0x80) !== 0;
  const opcode = data[0] & 0x0f;
  const masked = (data[1] & 0x80) !== 0;
  let length = data[1] & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (data.length < 4) return null;
    length = data.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (data.length < 10) return null;
    const big = data.readBigUInt64BE(2);
    if (big > BigInt(MAX_MESSAGE)) {
      return { fin, opcode, payload: Buffer.alloc(0), size: 0, error: "frame too large" };
    }
    length = Number(big);
    offset = 10;
  }
  const maskOffset = offset;
  if (masked) offset += 4;
  if (data.length < offset + length) return null;
  const payload = Buffer.from(data.subarray(offset, offset + length));
  if (masked) {
    for (let i = 0; i < payload.length; i++) payload[i] ^= data[maskOffset + (i % 4)];
  }
  return { fin, opcode, payload, size: offset + length };
}

/** A final, masked client frame (clients must mask everything they send). */
export function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.alloc(header + 4 + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) {
    frame[1] = 0x80 | length;
  } else if (length < 65536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = crypto.randomBytes(4);
  mask.copy(frame, header);
  for (let i = 0; i < length; i++) frame[header + 4 + i] = payload[i] ^ mask[i % 4];
  return frame;
}
