/**
 * The chat transcript as a pure state machine: session events in, a render model out.
 *
 * Both the extension host and the webview run this reducer over the same stream, so the
 * webview can be rebuilt from a snapshot at any time and the logic is unit-tested
 * without VS Code. Updates are immutable: an item that did not change keeps its object
 * identity, which is how the webview knows what to re-render.
 */
import type {
  LoadSessionResult,
  Message,
  PermissionOption,
  PermissionRequestParams,
  SessionEvent,
  SessionEventNotification,
  Usage,
} from "../protocol";

export type ToolStatus = "running" | "done" | "failed";
export type TurnEnd = "completed" | "cancelled" | "failed" | "step_limit";

export interface UserItem {
  kind: "user";
  key: string;
  text: string;
  /** Files attached as context, e.g. "hello.py" or "hello.py:3-7" (1-based lines). */
  attachments?: string[];
  messageId?: string;
  turnId?: string | null;
  steer?: boolean;
}

export interface AssistantItem {
  kind: "assistant";
  key: string;
  messageId: string;
  text: string;
  reasoning: string;
  streaming: boolean;
  interrupted: boolean;
}

export interface EditInfo {
  uri: string;
  diff: string;
  applied: boolean;
  rebased: boolean;
  message: string | null;
}

export interface ToolItem {
  kind: "tool";
  key: string;
  toolCallId: string;
  name: string;
  arguments: Record<string, unknown>;
  status: ToolStatus;
  durationMs: number | null;
  elapsedMs: number | null;
  output: string;
  truncated: boolean;
  edits: EditInfo[];
}

export type PermissionState = PermissionOption | "pending" | "expired";

export interface PermissionItem {
  kind: "permission";
  key: string;
  toolCallId: string;
  tool: string;
  description: string;
  diff: string | null;
  options: PermissionOption[];
  state: PermissionState;
  /** True while the server is waiting on our answer to tether/permission/request. */
  awaitingAnswer: boolean;
}

export interface NoticeItem {
  kind: "notice";
  key: string;
  level: "info" | "warning" | "error";
  text: string;
}

export interface TurnEndItem {
  kind: "turnEnd";
  key: string;
  turnId: string | null;
  status: TurnEnd;
  reason: string;
}

export type Item = UserItem | AssistantItem | ToolItem | PermissionItem | NoticeItem | TurnEndItem;

export interface Gauge {
  contextTokens: number;
  contextWindow: number;
  totalTokens: number;
}

export interface Transcript {
  sessionId: string | null;
  title: string;
  model: string;
  items: Item[];
  running: boolean;
  turnId: string | null;
  /** Highest seq applied; events at or below it are replays and are ignored. */
  lastSeq: number;
  gauge: Gauge;
  truncated: boolean;
}

export function emptyTranscript(sessionId: string | null = null, model = ""): Transcript {
  return {
    sessionId,
    title: "",
    model,
    items: [],
    running: false,
    turnId: null,
    lastSeq: 0,
    gauge: { contextTokens: 0, contextWindow: 0, totalTokens: 0 },
    truncated: false,
  };
}

/** Inputs of the reducer beyond server events: what the extension itself knows. */
export type Action =
  | { kind: "event"; notification: SessionEventNotification }
  | { kind: "permissionAsked"; params: PermissionRequestParams }
  | { kind: "permissionAnswered"; toolCallId: string; option: PermissionOption }
  | { kind: "promptSent"; text: string; steer: boolean }
  | { kind: "promptEnded"; status: TurnEnd; reason: string; turnId: string | null }
  | { kind: "notice"; level: NoticeItem["level"]; text: string }
  | { kind: "serverLost" };

export function reduce(state: Transcript, action: Action): Transcript {
  switch (action.kind) {
    case "event":
      return applyNotification(state, action.notification);
    case "permissionAsked":
      return askPermission(state, action.params);
    case "permissionAnswered":
      return updatePermission(state, action.toolCallId, (p) => ({
        ...p,
        state: action.option,
        awaitingAnswer: false,
      }));
    case "promptSent":
      return withItem(
        { ...state, running: true },
        {
          kind: "user",
          key: `local:${state.items.length}`,
          text: action.text,
          steer: action.steer,
        },
      );
    case "promptEnded":
      // The prompt request answered: normally the terminal event already ended the turn.
      if (!state.running) return state;
      return endTurn(state, action.turnId, action.status, action.reason);
    case "notice":
      return withItem(state, {
        kind: "notice",
        key: `notice:${state.items.length}`,
        level: action.level,
        text: action.text,
      });
    case "serverLost":
      if (!state.running) return state;
      return endTurn(state, state.turnId, "failed", "the Tether server stopped");
  }
}

export function applyNotification(
  state: Transcript,
  notification: SessionEventNotification,
): Transcript {
  const event = notification.event;
  if (state.sessionId !== null && notification.sessionId !== state.sessionId) return state;
  const seq = notification.seq ?? event.seq ?? 0;
  if (seq > 0 && seq <= state.lastSeq) return state;
  const next = applyEvent(state, event);
  return seq > next.lastSeq ? { ...next, lastSeq: seq } : next;
}

function applyEvent(state: Transcript, event: SessionEvent): Transcript {
  switch (event.type) {
    case "turn_started":
      return turnStarted(state, event.turnId ?? null, event.prompt, event.model);
    case "message_added":
      return messageAdded(state, event.message);
    case "text_delta":
      return updateAssistant(state, event.messageId, (a) => ({ ...a, text: a.text + event.text }));
    case "reasoning_delta":
      return updateAssistant(state, event.messageId, (a) => ({
        ...a,
        reasoning: a.reasoning + event.text,
      }));
    case "text_complete":
      return updateAssistant(state, event.messageId, (a) => ({
        ...a,
        text: event.text,
        streaming: false,
      }));
    case "tool_call_started":
      return toolStarted(state, event.toolCallId, event.name, event.arguments ?? {});
    case "tool_output_chunk":
      return updateTool(state, event.toolCallId, (t) => ({ ...t, output: t.output + event.text }));
    case "tool_heartbeat":
      return updateTool(state, event.toolCallId, (t) => ({ ...t, elapsedMs: event.elapsedMs }));
    case "tool_call_completed": {
      const started = findTool(state, event.toolCallId)
        ? state
        : toolStarted(state, event.toolCallId, event.name, {});
      return updateTool(started, event.toolCallId, (t) => ({
        ...t,
        status: event.success ? "done" : "failed",
        durationMs: event.durationMs,
        output: event.output ?? t.output,
        truncated: event.truncated ?? false,
      }));
    }
    case "file_edited": {
      const edit: EditInfo = {
        uri: event.uri,
        diff: event.diff,
        applied: event.applied,
        rebased: event.rebased ?? false,
        message: event.message ?? null,
      };
      if (findTool(state, event.toolCallId)) {
        return updateTool(state, event.toolCallId, (t) => ({ ...t, edits: [...t.edits, edit] }));
      }
      const orphan: ToolItem = {
        ...newTool(event.toolCallId, "edit", {}),
        status: event.applied ? "done" : "failed",
        edits: [edit],
      };
      return withItem(state, orphan);
    }
    case "permission_requested":
      return upsertPermission(state, {
        toolCallId: event.toolCallId,
        tool: event.tool,
        description: event.description,
        diff: event.diff ?? null,
        options: event.options ?? ["allow_once", "allow_always", "reject"],
      });
    case "permission_resolved":
      return updatePermission(state, event.toolCallId, (p) => ({
        ...p,
        state: event.option,
        awaitingAnswer: false,
      }));
    case "usage":
      return {
        ...state,
        gauge: {
          contextTokens: event.contextTokens ?? state.gauge.contextTokens,
          contextWindow: event.contextWindow || state.gauge.contextWindow,
          totalTokens: totalOf(event.total),
        },
      };
    case "stream_retry":
      return withItem(state, {
        kind: "notice",
        key: `seq:${event.seq}`,
        level: "warning",
        text: `Retrying the model request (attempt ${event.attempt}): ${event.reason}`,
      });
    case "context_truncated":
      return withItem(state, {
        kind: "notice",
        key: `seq:${event.seq}`,
        level: "info",
        text: `${event.droppedMessages} older message(s) left out to fit the context window.`,
      });
    case "error":
      return withItem(state, {
        kind: "notice",
        key: `seq:${event.seq}`,
        level: "error",
        text: event.message,
      });
    case "title_changed":
      return { ...state, title: event.title };
    case "turn_completed":
      return endTurn(state, event.turnId ?? null, "completed", event.reason ?? "");
    case "turn_cancelled":
      return endTurn(state, event.turnId ?? null, "cancelled", event.reason ?? "");
    case "turn_failed":
      return endTurn(state, event.turnId ?? null, "failed", event.reason);
    case "step_limit_reached":
      return endTurn(state, event.turnId ?? null, "step_limit", event.reason);
    default:
      return state;
  }
}

function totalOf(usage: Usage | undefined): number {
  if (!usage) return 0;
  return usage.totalTokens || (usage.promptTokens ?? 0) + (usage.completionTokens ?? 0);
}

function turnStarted(state: Transcript, turnId: string | null, prompt: string, model?: string) {
  const base = { ...state, running: true, turnId, model: model || state.model };
  // The prompt we showed optimistically (promptSent) becomes this turn's user item.
  const idx = findLastIndex(
    base.items,
    (i) => i.kind === "user" && i.turnId === undefined && !i.steer && i.text === prompt,
  );
  if (idx >= 0) {
    return replaceAt(base, idx, { ...(base.items[idx] as UserItem), turnId });
  }
  return withItem(base, { kind: "user", key: `turn:${turnId}`, text: prompt, turnId });
}

function messageAdded(state: Transcript, message: Message): Transcript {
  if (message.role === "user") {
    const text = messageText(message);
    const attachments = attachmentLabels(message);
    if (state.items.some((i) => i.kind === "user" && i.messageId === message.id)) return state;
    const idx = findLastIndex(
      state.items,
      (i) => i.kind === "user" && i.messageId === undefined && i.text === text,
    );
    if (idx >= 0) {
      const item = state.items[idx] as UserItem;
      return replaceAt(state, idx, { ...item, messageId: message.id, attachments });
    }
    return withItem(state, {
      kind: "user",
      key: `msg:${message.id}`,
      text,
      attachments,
      messageId: message.id,
      turnId: message.turnId ?? null,
    });
  }
  if (message.role === "assistant") {
    const text = messageText(message);
    const reasoning = message.parts
      .map((p) => (p.type === "thinking" ? p.text : ""))
      .join("");
    let next = upsertAssistant(state, message.id, (a) => ({
      ...a,
      text: text || a.text,
      reasoning: reasoning || a.reasoning,
      streaming: false,
      interrupted: message.interrupted ?? false,
    }));
    for (const part of message.parts) {
      if (part.type === "tool_call" && !findTool(next, part.id)) {
        next = withItem(next, newTool(part.id, part.name, part.arguments ?? {}));
      }
    }
    return next;
  }
  if (message.role === "tool") {
    let next = state;
    for (const part of message.parts) {
      if (part.type !== "tool_result") continue;
      const tool = findTool(next, part.toolCallId);
      if (!tool || tool.status !== "running") continue;
      next = updateTool(next, part.toolCallId, (t) => ({
        ...t,
        status: part.isError ? "failed" : "done",
        output: t.output || part.content,
      }));
    }
    return next;
  }
  return state;
}

function endTurn(state: Transcript, turnId: string | null, status: TurnEnd, reason: string) {
  if (!state.running && state.items.some((i) => i.kind === "turnEnd" && i.turnId === turnId)) {
    return state;
  }
  const items = state.items.map((item): Item => {
    if (item.kind === "assistant" && item.streaming) {
      return { ...item, streaming: false, interrupted: status !== "completed" };
    }
    if (item.kind === "tool" && item.status === "running") {
      return { ...item, status: "failed" };
    }
    if (item.kind === "permission" && item.state === "pending") {
      return { ...item, state: "expired", awaitingAnswer: false };
    }
    return item;
  });
  const end: TurnEndItem = { kind: "turnEnd", key: `end:${items.length}`, turnId, status, reason };
  return { ...state, items: [...items, end], running: false, turnId: null };
}

function askPermission(state: Transcript, params: PermissionRequestParams): Transcript {
  const next = upsertPermission(state, {
    toolCallId: params.toolCallId,
    tool: params.tool,
    description: params.description,
    diff: params.diff ?? null,
    options: params.options ?? ["allow_once", "allow_always", "reject"],
  });
  return updatePermission(next, params.toolCallId, (p) => ({ ...p, awaitingAnswer: true }));
}

type PermissionFields = Pick<
  PermissionItem,
  "toolCallId" | "tool" | "description" | "diff" | "options"
>;

function upsertPermission(state: Transcript, fields: PermissionFields): Transcript {
  if (state.items.some((i) => i.kind === "permission" && i.toolCallId === fields.toolCallId)) {
    return state;
  }
  return withItem(state, {
    kind: "permission",
    key: `perm:${fields.toolCallId}`,
    ...fields,
    state: "pending",
    awaitingAnswer: false,
  });
}

function updatePermission(
  state: Transcript,
  toolCallId: string,
  change: (p: PermissionItem) => PermissionItem,
): Transcript {
  const idx = state.items.findIndex((i) => i.kind === "permission" && i.toolCallId === toolCallId);
  if (idx < 0) return state;
  return replaceAt(state, idx, change(state.items[idx] as PermissionItem));
}

function newTool(id: string, name: string, args: Record<string, unknown>): ToolItem {
  return {
    kind: "tool",
    key: `tool:${id}`,
    toolCallId: id,
    name,
    arguments: args,
    status: "running",
    durationMs: null,
    elapsedMs: null,
    output: "",
    truncated: false,
    edits: [],
  };
}

function toolStarted(state: Transcript, id: string, name: string, args: Record<string, unknown>) {
  if (findTool(state, id)) {
    return updateTool(state, id, (t) => ({ ...t, name, arguments: args }));
  }
  return withItem(state, newTool(id, name, args));
}

function findTool(state: Transcript, id: string): ToolItem | undefined {
  return state.items.find((i): i is ToolItem => i.kind === "tool" && i.toolCallId === id);
}

function updateTool(state: Transcript, id: string, change: (t: ToolItem) => ToolItem) {
  const idx = state.items.findIndex((i) => i.kind === "tool" && i.toolCallId === id);
  if (idx < 0) return state;
  return replaceAt(state, idx, change(state.items[idx] as ToolItem));
}

function newAssistant(messageId: string): AssistantItem {
  return {
    kind: "assistant",
    key: `asst:${messageId}`,
    messageId,
    text: "",
    reasoning: "",
    streaming: true,
    interrupted: false,
  };
}

/** Deltas may arrive before anything announced the message: create it on first sight. */
function updateAssistant(
  state: Transcript,
  messageId: string,
  change: (a: AssistantItem) => AssistantItem,
): Transcript {
  return upsertAssistant(state, messageId, change);
}

function upsertAssistant(
  state: Transcript,
  messageId: string,
  change: (a: AssistantItem) => AssistantItem,
): Transcript {
  const idx = state.items.findIndex((i) => i.kind === "assistant" && i.messageId === messageId);
  if (idx < 0) return withItem(state, change(newAssistant(messageId)));
  return replaceAt(state, idx, change(state.items[idx] as AssistantItem));
}

function attachmentLabels(message: Message): string[] {
  const labels: string[] = [];
  for (const part of message.parts) {
    if (part.type !== "file") continue;
    const name = decodeURIComponent(part.uri.split("/").pop() ?? part.uri);
    const start = part.rangeStartLine;
    const end = part.rangeEndLine;
    if (start === null || start === undefined) labels.push(name);
    else if (end === null || end === undefined || end === start) labels.push(`${name}:${start + 1}`);
    else labels.push(`${name}:${start + 1}-${end + 1}`);
  }
  return labels;
}

function messageText(message: Message): string {
  return message.parts.map((p) => (p.type === "text" ? p.text : "")).join("");
}

function withItem(state: Transcript, item: Item): Transcript {
  return { ...state, items: [...state.items, item] };
}

function replaceAt(state: Transcript, idx: number, item: Item): Transcript {
  const items = state.items.slice();
  items[idx] = item;
  return { ...state, items };
}

function findLastIndex<T>(items: T[], pred: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (pred(items[i])) return i;
  return -1;
}

/** Rebuild a transcript from `tether/session/load`: messages only, no live state. */
export function fromHistory(result: LoadSessionResult): Transcript {
  let state: Transcript = {
    ...emptyTranscript(result.session.id, result.session.model ?? ""),
    title: result.session.title ?? "",
    truncated: result.truncated ?? false,
  };
  if (state.truncated) {
    state = reduce(state, { kind: "notice", level: "info", text: "Older messages not shown." });
  }
  for (const message of result.messages) {
    if (message.role === "system") continue;
    state = messageAdded(state, message);
    if (message.role === "assistant" && message.interrupted) {
      state = withItem(state, {
        kind: "turnEnd",
        key: `end:${state.items.length}`,
        turnId: message.turnId ?? null,
        status: "cancelled",
        reason: "interrupted",
      });
    }
  }
  // Tools whose result never made it to history were cut short.
  const items = state.items.map((i): Item =>
    i.kind === "tool" && i.status === "running" ? { ...i, status: "failed" } : i,
  );
  return { ...state, items, lastSeq: result.lastSeq ?? 0 };
}

/** Pending permission prompts the user can still answer (for keyboard shortcuts). */
export function pendingPermissions(state: Transcript): PermissionItem[] {
  return state.items.filter(
    (i): i is PermissionItem => i.kind === "permission" && i.state === "pending",
  );
}
