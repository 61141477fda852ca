/** Immutable helpers over transcript items (find, add, replace, upsert), for the reducer. */
import type { Message, PermissionRequestParams } from "../protocol";
import type {
  AssistantItem,
  Item,
  PermissionItem,
  ToolItem,
  Transcript,
} from "./model";

export function askPermission(state: Transcript, params: PermissionRequestParams): Transcript {
  const next = upsertPermission(state, {
    toolCallId: params.toolCallId,
    tool: params.tool,
    description: params.description,
    diff: params.diff ?? null,
    options: params.options ?? ["allow_once", "allow_always", "reject"],
  });
  return updatePermission(next, params.toolCallId, (p) => ({ ...p, awaitingAnswer: true }));
}

export type PermissionFields = Pick<
  PermissionItem,
  "toolCallId" | "tool" | "description" | "diff" | "options"
>;

export function upsertPermission(state: Transcript, fields: PermissionFields): Transcript {
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

export function updatePermission(
  state: Transcript,
  toolCallId: string,
  change: (p: PermissionItem) => PermissionItem,
): Transcript {
  const idx = state.items.findIndex((i) => i.kind === "permission" && i.toolCallId === toolCallId);
  if (idx < 0) return state;
  return replaceAt(state, idx, change(state.items[idx] as PermissionItem));
}

export function newTool(id: string, name: string, args: Record<string, unknown>): ToolItem {
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

export function toolStarted(state: Transcript, id: string, name: string, args: Record<string, unknown>) {
  if (findTool(state, id)) {
    return updateTool(state, id, (t) => ({ ...t, name, arguments: args }));
  }
  return withItem(state, newTool(id, name, args));
}

export function findTool(state: Transcript, id: string): ToolItem | undefined {
  return state.items.find((i): i is ToolItem => i.kind === "tool" && i.toolCallId === id);
}

export function updateTool(state: Transcript, id: string, change: (t: ToolItem) => ToolItem) {
  const idx = state.items.findIndex((i) => i.kind === "tool" && i.toolCallId === id);
  if (idx < 0) return state;
  return replaceAt(state, idx, change(state.items[idx] as ToolItem));
}

export function newAssistant(messageId: string): AssistantItem {
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
export function updateAssistant(
  state: Transcript,
  messageId: string,
  change: (a: AssistantItem) => AssistantItem,
): Transcript {
  return upsertAssistant(state, messageId, change);
}

export function upsertAssistant(
  state: Transcript,
  messageId: string,
  change: (a: AssistantItem) => AssistantItem,
): Transcript {
  const idx = state.items.findIndex((i) => i.kind === "assistant" && i.messageId === messageId);
  if (idx < 0) return withItem(state, change(newAssistant(messageId)));
  return replaceAt(state, idx, change(state.items[idx] as AssistantItem));
}

export function attachmentLabels(message: Message): string[] {
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

export function messageText(message: Message): string {
  // Text parts marked `_meta.context` are editor context the server attached, not the user's words.
  return message.parts
    .map((p) => (p.type === "text" && !p._meta?.context ? p.text : ""))
    .join("");
}

export function withItem(state: Transcript, item: Item): Transcript {
  return { ...state, items: [...state.items, item] };
}

export function replaceAt(state: Transcript, idx: number, item: Item): Transcript {
  const items = state.items.slice();
  items[idx] = item;
  return { ...state, items };
}

export function findLastIndex<T>(items: T[], pred: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (pred(items[i])) return i;
  return -1;
}

