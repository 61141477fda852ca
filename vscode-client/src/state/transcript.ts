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
  SessionEvent,
  SessionEventNotification,
  TurnStarted as TurnStartedEvent,
  Usage,
} from "../protocol";
import {
  askPermission,
  attachmentLabels,
  findLastIndex,
  findTool,
  messageText,
  newTool,
  replaceAt,
  toolStarted,
  updateAssistant,
  updatePermission,
  updateTool,
  upsertAssistant,
  upsertPermission,
  withItem,
} from "./items";
import {
  type Action,
  type CompactionItem,
  type EditInfo,
  emptyTranscript,
  type Item,
  type PermissionItem,
  type ToolItem,
  type Transcript,
  type TurnEnd,
  type TurnEndItem,
  type UserItem,
} from "./model";

export * from "./model";

/** The tool row of a chat code block the user applied (`tether/codeBlock/apply`). */
export const APPLIED_BLOCK = "Applied code block";

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
          ...(action.clientMessageId ? { clientMessageId: action.clientMessageId } : {}),
        },
      );
    case "promptEnded":
      // The prompt request answered: normally the terminal event already ended the turn.
      if (!state.running) return state;
      return markShownAbove(endTurn(state, action.turnId, action.status, action.reason));
    case "notice":
      return withItem(state, {
        kind: "notice",
        key: `notice:${state.items.length}`,
        level: action.level,
        text: action.text,
      });
    case "continuable":
      // A session reopened from history whose last turn stopped at the step limit.
      if (state.running || state.items.some((i) => i.kind === "turnEnd" && i.canContinue)) {
        return state;
      }
      return withItem(state, {
        kind: "turnEnd",
        key: `end:${state.items.length}`,
        turnId: null,
        status: "step_limit",
        reason: action.reason,
        canContinue: true,
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
  const next = adoptRunningTurn(applyEvent(state, event), event);
  return seq > next.lastSeq ? { ...next, lastSeq: seq } : next;
}

/** Events only a turn in progress sends: seeing one means that turn is running. */
const IN_PROGRESS = new Set<SessionEvent["type"]>([
  "text_delta",
  "reasoning_delta",
  "tool_call_started",
  "tool_output_chunk",
  "tool_heartbeat",
  "permission_requested",
  "stream_retry",
]);

/**
 * A session opened from history while its turn still runs (started before New Chat)
 * learns of the turn from its events, so Stop and steering work on it.
 */
function adoptRunningTurn(state: Transcript, event: SessionEvent): Transcript {
  const turnId = event.turnId ?? null;
  if (state.running || turnId === null || !IN_PROGRESS.has(event.type)) return state;
  if (state.items.some((i) => i.kind === "turnEnd" && i.turnId === turnId)) return state;
  return { ...state, running: true, turnId };
}

function applyEvent(state: Transcript, event: SessionEvent): Transcript {
  switch (event.type) {
    case "turn_started":
      return turnStarted(state, event);
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
        turnId: event.turnId ?? null,
        path: event.path ?? "",
        hunkIds: event.hunkIds ?? [],
        undoneHunks: [],
      };
      if (findTool(state, event.toolCallId)) {
        return updateTool(state, event.toolCallId, (t) => ({ ...t, edits: [...t.edits, edit] }));
      }
      // An edit with no tool call of its own: a code block the user applied (its own
      // change set) is named for what it is; either way the row carries the file chip.
      const name = event.codeBlock ? APPLIED_BLOCK : "edit";
      const orphan: ToolItem = {
        ...newTool(event.toolCallId, name, edit.path ? { path: edit.path } : {}),
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
          sessionCost: event.sessionCost ?? null,
        },
      };
    case "stream_retry":
      // The retry streams under a fresh message id: drop the partial shown so far.
      return withItem(dropAssistant(state, event.discardMessageId ?? null), {
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
        fixes: isProviderError(event.code),
      });
    case "compaction_started":
      return withItem(state, {
        kind: "compaction",
        key: `seq:${event.seq}`,
        status: "running",
        tokensBefore: event.tokensBefore,
        tokensAfter: null,
        summarizedMessages: 0,
        reason: event.reason === "provider_limit" ? "the provider said the request was too long" : "",
      });
    case "compaction_completed":
      return settleCompaction(state, event.seq ?? 0, (c) => ({
        ...c,
        status: "done",
        tokensBefore: event.tokensBefore,
        tokensAfter: event.tokensAfter,
        summarizedMessages: event.summarizedMessages,
      }));
    case "compaction_failed":
      return settleCompaction(state, event.seq ?? 0, (c) => ({
        ...c,
        status: "failed",
        reason: event.reason,
      }));
    case "title_changed":
      return { ...state, title: event.title };
    case "change_undone":
      // The transcript never claims an edit that is no longer there.
      return withItem(markUndone(state, event.undoneTurnId, event.path, event.hunkIds), {
        kind: "notice",
        key: `seq:${event.seq}`,
        level: "info",
        text: `Undone: ${event.codeBlock ? "the code block you applied" : "the agent's change"} to ${event.path}${event.lines ? ` ${event.lines}` : ""}.`,
      });
    case "turn_rewound": {
      const conflicts = event.conflicts ?? [];
      const left = conflicts.length
        ? ` ${conflicts.length} left as they were: ${conflicts.map((c) => `${c.path} (${c.reason})`).join("; ")}.`
        : "";
      const restored = new Set(event.restored ?? []);
      let next = state;
      for (const turnId of event.rewoundTurnIds) {
        for (const path of restored) next = markUndone(next, turnId, path, null);
      }
      return withItem(next, {
        kind: "notice",
        key: `seq:${event.seq}`,
        level: conflicts.length ? "warning" : "info",
        text: `Rewound ${event.rewoundTurnIds.length} turn(s): ${(event.restored ?? []).length} file(s) restored.${left}`,
      });
    }
    case "turn_completed":
      return endTurn(state, event.turnId ?? null, "completed", event.reason ?? "");
    case "turn_cancelled":
      return endTurn(state, event.turnId ?? null, "cancelled", event.reason ?? "");
    case "turn_failed":
      return markShownAbove(endTurn(state, event.turnId ?? null, "failed", event.reason));
    case "step_limit_reached":
      return endTurn(state, event.turnId ?? null, "step_limit", event.reason);
    default:
      return state;
  }
}

/** The running compaction line gets its outcome; a replay without the start adds one. */
function settleCompaction(
  state: Transcript,
  seq: number,
  change: (c: CompactionItem) => CompactionItem,
): Transcript {
  const idx = findLastIndex(state.items, (i) => i.kind === "compaction" && i.status === "running");
  if (idx >= 0) return replaceAt(state, idx, change(state.items[idx] as CompactionItem));
  return withItem(
    state,
    change({
      kind: "compaction",
      key: `seq:${seq}`,
      status: "running",
      tokensBefore: 0,
      tokensAfter: null,
      summarizedMessages: 0,
      reason: "",
    }),
  );
}

function dropAssistant(state: Transcript, messageId: string | null): Transcript {
  if (messageId === null) return state;
  const items = state.items.filter((i) => !(i.kind === "assistant" && i.messageId === messageId));
  return items.length === state.items.length ? state : { ...state, items };
}

/** Every shown edit of `turnId` to `path` learns which of its hunks were undone (null: all). */
function markUndone(
  state: Transcript,
  turnId: string,
  path: string,
  hunkIds: string[] | null,
): Transcript {
  let changed = false;
  const items = state.items.map((item) => {
    if (item.kind !== "tool" || !item.edits.some((e) => e.turnId === turnId && e.path === path)) {
      return item;
    }
    changed = true;
    const edits = item.edits.map((e) =>
      e.turnId === turnId && e.path === path
        ? { ...e, undoneHunks: [...new Set([...(e.undoneHunks ?? []), ...(hunkIds ?? e.hunkIds ?? [])])] }
        : e,
    );
    return { ...item, edits };
  });
  return changed ? { ...state, items } : state;
}

function totalOf(usage: Usage | undefined): number {
  if (!usage) return 0;
  return usage.totalTokens || (usage.promptTokens ?? 0) + (usage.completionTokens ?? 0);
}

function turnStarted(state: Transcript, event: TurnStartedEvent): Transcript {
  const turnId = event.turnId ?? null;
  const items = state.items.map((i): Item =>
    i.kind === "turnEnd" && i.canContinue ? { ...i, canContinue: false } : i,
  );
  const base = { ...state, items, running: true, turnId, model: event.model || state.model };
  // The prompt we showed optimistically (promptSent) becomes this turn's user item.
  const idx = optimisticPrompt(base.items, event.prompt, event.clientMessageId ?? null);
  if (idx >= 0) {
    return replaceAt(base, idx, { ...(base.items[idx] as UserItem), turnId });
  }
  return withItem(base, { kind: "user", key: `turn:${turnId}`, text: event.prompt, turnId });
}

/**
 * The index of the optimistic item a turn's prompt is: the one with the client message id
 * the server echoed; without one (an older server), the last unclaimed prompt of that text.
 * An id no item has is another window's prompt: -1, however alike the text.
 */
function optimisticPrompt(items: Item[], prompt: string, clientMessageId: string | null): number {
  if (clientMessageId !== null) {
    return findLastIndex(items, (i) => i.kind === "user" && i.clientMessageId === clientMessageId);
  }
  return findLastIndex(
    items,
    (i) => i.kind === "user" && i.turnId === undefined && !i.steer && i.text === prompt,
  );
}

/**
 * The index of the optimistic item a user message is: its turn's prompt while that has no
 * message yet (the prompt's message comes first in its turn), else the last unclaimed item
 * of that text that belongs to no other turn (a steer).
 */
function optimisticMessage(items: Item[], text: string, turnId: string | null): number {
  const prompt = findLastIndex(
    items,
    (i) => i.kind === "user" && turnId !== null && i.turnId === turnId && !i.steer && !i.messageId,
  );
  if (prompt >= 0) return prompt;
  return findLastIndex(
    items,
    (i) => i.kind === "user" && !i.messageId && i.text === text && (i.turnId ?? turnId) === turnId,
  );
}

function messageAdded(state: Transcript, message: Message): Transcript {
  if (message.role === "user") {
    const text = messageText(message);
    const attachments = attachmentLabels(message);
    if (state.items.some((i) => i.kind === "user" && i.messageId === message.id)) return state;
    const idx = optimisticMessage(state.items, text, message.turnId ?? null);
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
    if (item.kind === "compaction" && item.status === "running") {
      return { ...item, status: "failed", reason: "the turn ended first" };
    }
    return item;
  });
  const end: TurnEndItem = {
    kind: "turnEnd",
    key: `end:${items.length}`,
    turnId,
    status,
    reason,
    canContinue: status === "step_limit",
  };
  return { ...state, items: [...items, end], running: false, turnId: null };
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
  const rewound = new Set(result.rewoundTurnIds ?? []);
  let marked: string | null = null;
  for (const message of result.messages) {
    if (message.role === "system") continue;
    const turn = message.turnId ?? null;
    if (turn && rewound.has(turn) && marked !== turn) {
      // Rewound turns stay visible, marked: the model no longer sees them.
      marked = turn;
      state = reduce(state, { kind: "notice", level: "info", text: "Rewound: the model no longer sees this turn." });
    }
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

/** JSON-RPC codes of provider errors (protocol-spec.md): -32003 … -32006. */
export function isProviderError(code: number | null | undefined): boolean {
  return typeof code === "number" && code <= -32003 && code >= -32006;
}

/** A failed turn whose reason is the error card right above it says it once. */
function markShownAbove(state: Transcript): Transcript {
  const items = state.items;
  const end = items.at(-1);
  if (!end || end.kind !== "turnEnd" || end.status !== "failed" || end.shownAbove) return state;
  for (let i = items.length - 2; i >= 0; i--) {
    const item = items[i];
    if (item.kind === "user") break;
    if (item.kind === "notice" && item.level === "error" && item.text === end.reason) {
      return { ...state, items: [...items.slice(0, -1), { ...end, shownAbove: true }] };
    }
  }
  return state;
}
