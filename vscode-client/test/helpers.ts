/** Builders for wire-shaped events, as the server sends them (camelCase JSON). */
import type { SessionEventNotification } from "../src/protocol";
import type { Action } from "../src/state/transcript";

let seq = 0;

export function resetSeq(value = 0): void {
  seq = value;
}

export function ev(
  type: string,
  fields: Record<string, unknown> = {},
  opts: { sessionId?: string; turnId?: string | null; seq?: number } = {},
): SessionEventNotification {
  const s = opts.seq ?? ++seq;
  const sessionId = opts.sessionId ?? "s1";
  const turnId = opts.turnId === undefined ? "t1" : opts.turnId;
  const event = { type, sessionId, turnId, seq: s, time: "2026-01-01T00:00:00Z", ...fields };
  return { sessionId, turnId, seq: s, event } as unknown as SessionEventNotification;
}

export function message(
  id: string,
  role: string,
  parts: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { id, role, parts, createdAt: "2026-01-01T00:00:00Z", turnId: "t1", ...extra };
}

/** The reducer's action for one event, as the controller dispatches a notification. */
export function event(...args: Parameters<typeof ev>): Action {
  return { kind: "event", notification: ev(...args) };
}
