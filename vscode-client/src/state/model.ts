/** The transcript's render model: what the chat shows, independent of the DOM. */
import type { PermissionOption, PermissionRequestParams, SessionEventNotification } from "../protocol";

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
  /** The id this client sent with the prompt; the server echoes it on `turn_started`. */
  clientMessageId?: string;
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
  /** Change-set identity: the turn, the workspace-relative path and the turn's hunks. */
  turnId?: string | null;
  path?: string;
  hunkIds?: string[];
  /** Hunks of this edit the user undid since (the transcript must not claim them). */
  undoneHunks?: string[];
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
  /** A provider error: the card offers its fixes as buttons. */
  fixes?: boolean;
}

export interface TurnEndItem {
  kind: "turnEnd";
  key: string;
  turnId: string | null;
  status: TurnEnd;
  reason: string;
  /** A step-limit stop no later turn has superseded: the chat offers "Continue". */
  canContinue?: boolean;
  /** The reason is the error card just above: shown once, not again as "Failed: …". */
  shownAbove?: boolean;
}

/** The context was summarised (or the summariser failed) while the turn ran. */
export interface CompactionItem {
  kind: "compaction";
  key: string;
  status: "running" | "done" | "failed";
  tokensBefore: number;
  tokensAfter: number | null;
  summarizedMessages: number;
  reason: string;
}

export type Item =
  | UserItem
  | AssistantItem
  | ToolItem
  | PermissionItem
  | NoticeItem
  | TurnEndItem
  | CompactionItem;

export interface Gauge {
  contextTokens: number;
  contextWindow: number;
  totalTokens: number;
  /** US dollars of the session so far; null when the model has no price (tokens only). */
  sessionCost: number | null;
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
    gauge: { contextTokens: 0, contextWindow: 0, totalTokens: 0, sessionCost: null },
    truncated: false,
  };
}

/** Inputs of the reducer beyond server events: what the extension itself knows. */
export type Action =
  | { kind: "event"; notification: SessionEventNotification }
  | { kind: "permissionAsked"; params: PermissionRequestParams }
  | { kind: "permissionAnswered"; toolCallId: string; option: PermissionOption }
  | { kind: "promptSent"; text: string; steer: boolean; clientMessageId?: string }
  | { kind: "promptEnded"; status: TurnEnd; reason: string; turnId: string | null }
  | { kind: "notice"; level: NoticeItem["level"]; text: string }
  | { kind: "continuable"; reason: string }
  | { kind: "serverLost" };
