// generated — do not edit: python -m tether.protocol.generate
// Source of truth: server/tether/protocol/*.py (pydantic models).
/* eslint-disable */

export const PROTOCOL_VERSION = "1.0";

export type CompactionReason = "window" | "provider_limit";
export type ContextPolicy = "full" | "incremental" | "reset";
export type PermissionOption = "allow_once" | "allow_always" | "reject";
export type Role = "system" | "user" | "assistant" | "tool";
export type TurnStatus = "completed" | "cancelled" | "failed" | "step_limit";

/** Where a chat code block the user applied (`tether/codeBlock/apply`) went. */
export interface AppliedCodeBlock {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** `created` (the file was absent or blank), `region` (its first and last lines anchored lines of the file) or `whole` (it replaced the whole file). */
  placement: "created" | "region" | "whole";
  /** 1-based first line of the file it replaced (0 when `created`). */
  startLine: number;
  /** Last line of the file it replaced (0 when `created`). */
  endLine: number;
}

/** The session was archived (hidden from the default list, kept) or unarchived. */
export interface ArchiveChanged {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `archive_changed`. */
  type: "archive_changed";
  /** True when archived. */
  archived: boolean;
}

/** Params of `tether/session/archive`. */
export interface ArchiveParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session. */
  sessionId: string;
  /** False unarchives. */
  archived?: boolean;
}

/** The answer of `tether/session/cancel`. */
export interface CancelResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** True when a running turn was cancelled. */
  cancelled: boolean;
}

/** A file an undo or a rewind left untouched, and why. */
export interface ChangeConflict {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The file, relative to the workspace folder. */
  path: string;
  /** Why it was left as it is. */
  reason: string;
}

/**
 * The user undid some of a turn's edits (hunks, a file or all of them).
 *
 * The model hears of it at its next request, so it does not redo the change.
 */
export interface ChangeUndone {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `change_undone`. */
  type: "change_undone";
  /** The turn whose edits were undone. */
  undoneTurnId: string;
  /** The file, relative to the workspace folder. */
  path: string;
  /** file:// URI of the file. */
  uri: string;
  /** The hunks undone. */
  hunkIds: string[];
  /** Where, in words ("lines 3-5"), for the model. */
  lines: string;
  /** The turn had created the file; it was removed. */
  deleted: boolean;
  /** The undone change set is a code block the user applied (`tether/codeBlock/apply`), not the agent's edit. */
  codeBlock: boolean;
}

/** Params of `tether/changes/list`. */
export interface ChangesListParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session. */
  sessionId: string;
  /** One turn; every turn with edits when null. */
  turnId?: string | null;
}

/** The answer of `tether/changes/list`. */
export interface ChangesListResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Oldest first. */
  turns: TurnChangesInfo[];
}

/** Params of `tether/changes/undo`: one hunk, one file, or the whole turn's edits. */
export interface ChangesUndoParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session. */
  sessionId: string;
  /** The turn whose edits to undo. */
  turnId: string;
  /** One file (relative or file:// URI). */
  path?: string | null;
  /** One hunk id (needs `path`). */
  hunk?: string | null;
}

/** The answer of `tether/changes/undo`. */
export interface ChangesUndoResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Hunk ids undone. */
  undone: string[];
  /** Files changed by the undo. */
  files: string[];
  /** Files left untouched, and why. */
  conflicts: ChangeConflict[];
}

/** Durable record: where a turn stopped (at the step limit), so it can be continued. */
export interface Checkpoint {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `checkpoint`. */
  type: "checkpoint";
  /** Why the turn stopped. */
  reason: "step_limit";
  /** The user's request the turn worked on. */
  task: string;
  /** Tool calls made, oldest first. */
  done: string[];
  /** The model's last words: its plan or state. */
  remaining: string;
  /** Steps taken. */
  steps: number;
}

/** Params of `tether/codeBlock/apply`: put a chat code block into a file. */
export interface CodeBlockApplyParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session whose answer holds the block. */
  sessionId: string;
  /** The target file: a file:// URI, or a path relative to the session's workspace folder (the file the block names, else the active editor's). */
  uri: string;
  /** The block's code, as shown. */
  code: string;
  /** The open buffer's version the user saw when choosing Apply; when the server's copy is at another version the block is not applied (`reason: stale`). Null: not open, or not checked. */
  version?: number | null;
}

/**
 * The answer of `tether/codeBlock/apply`; a block that cannot be placed is not an
 * error: `applied` is false and `message` says what to do (e.g. Insert at Cursor).
 */
export interface CodeBlockApplyResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Whether the file now holds the block. */
  applied: boolean;
  /** The file, relative to the workspace folder. */
  path: string;
  /** file:// URI of the file. */
  uri: string;
  /** The change set the edit was recorded in, a turn id of its own: pass it as `turnId` to `tether/changes/list`, `tether/changes/undo` or `tether/session/rewind`. */
  changeId?: string | null;
  /** How the block was placed: `created` (the file was absent or blank), `region` (its first and last lines anchored lines of the file) or `whole` (it replaced the whole file). */
  placement?: "created" | "region" | "whole" | null;
  /** 1-based first line of the file it replaced (0 when `created`). */
  startLine: number;
  /** Last line of the file it replaced (0 when `created`). */
  endLine: number;
  /** Where it landed: the open editor buffer or the disk. */
  target?: "buffer" | "disk" | null;
  /** Merged onto text newer than the server read. */
  rebased: boolean;
  /** Why it was not applied: `no_anchor` (cannot tell where it goes), `unchanged` (the file already holds it), `stale` (the buffer moved on) or `busy` (a turn of the session is running). */
  reason?: "no_anchor" | "unchanged" | "stale" | "busy" | null;
  /** What happened, in words for the user. */
  message: string;
}

/**
 * Durable record: a summary that stands in for the messages up to `upToMessageId`
 * in every later request (the messages themselves stay in history).
 */
export interface Compaction {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `compaction`. */
  type: "compaction";
  /** The model's summary of the older messages. */
  summary: string;
  /** The last message the summary covers. */
  upToMessageId: string;
  /** Messages the summary replaces in the view. */
  summarizedMessages: number;
  /** The model that wrote the summary. */
  model: string;
}

/** Compaction finished; the next request uses summary + recent messages. */
export interface CompactionCompleted {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `compaction_completed`. */
  type: "compaction_completed";
  /** Estimated request tokens before. */
  tokensBefore: number;
  /** Estimated request tokens after. */
  tokensAfter: number;
  /** Messages replaced by the summary. */
  summarizedMessages: number;
  /** The window being fitted. */
  contextWindow: number;
}

/**
 * The summariser failed or answered nothing usable; the view falls back to truncation
 * (a `context_truncated` follows). The task is never lost: pins survive.
 */
export interface CompactionFailed {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `compaction_failed`. */
  type: "compaction_failed";
  /** Why, for the user. */
  reason: string;
}

/** The context no longer fits: older messages are being summarised by the model. */
export interface CompactionStarted {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `compaction_started`. */
  type: "compaction_started";
  /** Estimated request tokens before compaction. */
  tokensBefore: number;
  /** The window being fitted. */
  contextWindow: number;
  /** What triggered it. */
  reason: CompactionReason;
}

/** One entry of a context section: a rules file, a pin, a message. */
export interface ContextItem {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** What it is (a path, a pin id, `role: first words`). */
  label: string;
  /** Estimated tokens. */
  tokens: number;
  /** How it appears in the next request. */
  state: "whole" | "stubbed" | "dropped" | "summarized";
}

/** The answer of `tether/session/context`: what the next request would contain. */
export interface ContextResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session. */
  sessionId: string;
  /** The `contextPolicy` in effect. */
  policy: ContextPolicy;
  /** The model's window in tokens. */
  contextWindow: number;
  /** Window minus reserved output and margin. */
  budgetTokens: number;
  /** Estimated tokens of the next request. */
  totalTokens: number;
  /** system, tools, rules, pins, summary, messages, in request order. */
  sections: ContextSection[];
  /** Tool outputs shown as a stub. */
  stubbedOutputs: number;
  /** Messages left out (truncation). */
  droppedMessages: number;
  /** Messages a summary stands in for. */
  summarizedMessages: number;
  /** A step-limit checkpoint can be continued. */
  canContinue: boolean;
}

/** A part of the next request, with its estimated size. */
export interface ContextSection {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Which part. */
  name: "system" | "tools" | "rules" | "pins" | "summary" | "messages";
  /** Estimated tokens of this part in the request. */
  tokens: number;
  /** What it holds. */
  items: ContextItem[];
}

/** Old messages were left out of the request to fit the window. */
export interface ContextTruncated {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `context_truncated`. */
  type: "context_truncated";
  /** Oldest messages left out of the request. */
  droppedMessages: number;
  /** Estimated request tokens after dropping. */
  estimatedTokens: number;
  /** The model's window. */
  contextWindow: number;
}

/** Params of `tether/session/create`. */
export interface CreateSessionParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The workspace folder the session belongs to. */
  folderUri: string;
  /** Initial title. */
  title?: string | null;
  /** Model selector `provider/model`. */
  model?: string | null;
}

/** A new session (from create or fork). */
export interface CreateSessionResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The new session's id. */
  sessionId: string;
  /** The header as stored. */
  session?: SessionInfo | null;
}

/** Params of methods that take none. */
export interface EmptyParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
}

/** Something went wrong; `fatal` errors end the turn (a `turn_failed` follows). */
export interface ErrorEvent {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `error`. */
  type: "error";
  /** What went wrong, for the user. */
  message: string;
  /** Error code from protocol-spec.md, if any. */
  code?: number | null;
  /** True when the turn ends because of it. */
  fatal: boolean;
}

/** Fields every session event carries. */
export interface EventBase {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
}

/** Params of `tether/session/export`. */
export interface ExportParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session. */
  sessionId: string;
  /** Export format. */
  format?: "markdown" | "json";
}

/** The exported session. */
export interface ExportResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The exported text. */
  content: string;
}

/** One file of a turn's change set. */
export interface FileChangeInfo {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Relative to the workspace folder. */
  path: string;
  /** file:// URI. */
  uri: string;
  /** The turn created the file. */
  created: boolean;
  /** False: too big to keep; cannot be undone. */
  restorable: boolean;
  /** Lines added (hunks still applied). */
  added: number;
  /** Lines removed (hunks still applied). */
  removed: number;
  /** In file order. */
  hunks: HunkInfo[];
}

/**
 * An agent edit to a file, with its unified diff, applied or not. A code block the
 * user applied (`tether/codeBlock/apply`) is reported the same way, outside any turn:
 * its `turnId` and `toolCallId` are the block's `changeId`.
 */
export interface FileEdited {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `file_edited`. */
  type: "file_edited";
  /** The edit tool call (an applied code block: its `changeId`). */
  toolCallId: string;
  /** file:// URI of the edited file. */
  uri: string;
  /** Unified diff of the edit as proposed. */
  diff: string;
  /** Whether the edit reached the buffer / file. */
  applied: boolean;
  /** Applied after a 3-way rebase on newer text. */
  rebased: boolean;
  /** Why it was not applied, when it was not. */
  message?: string | null;
  /** The file, relative to the workspace folder. */
  path: string;
  /** Where the edit landed: an open editor buffer or the disk (a file not open in the editor is written there, never left in a hidden buffer). */
  target?: "buffer" | "disk" | null;
  /** Ids of the turn's hunks in this file so far, for `tether/changes/undo` (stable across later edits elsewhere in the file). */
  hunkIds: string[];
  /** Snapshot id of the file before the turn first touched it (null: the turn created it, or it was too big to keep). */
  beforeBlob?: string | null;
  /** Snapshot id of the file's text after this edit, stored as its changes from `beforeBlob`. */
  afterBlob?: string | null;
  /** The turn created the file. */
  created: boolean;
  /** False when the file was over `maxBlobBytes`: it cannot be undone or rewound. */
  restorable: boolean;
  /** Set when the edit is a chat code block the user applied, not the agent's: where the block went. */
  codeBlock?: AppliedCodeBlock | null;
}

/** A file (or part of one) attached to a message. */
export interface FilePart {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Always `file`. */
  type: "file";
  /** file:// URI of an attached file. */
  uri: string;
  /** The file's text as attached (may be a range). */
  text?: string | null;
  /** First attached line (0-based). */
  rangeStartLine?: number | null;
  /** Last attached line (0-based). */
  rangeEndLine?: number | null;
}

/** Params of `tether/session/fork`. */
export interface ForkParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session to copy. */
  sessionId: string;
  /** Copy up to and including this message. */
  messageId?: string | null;
}

/** One hunk of a turn's change to a file. */
export interface HunkInfo {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Stable hunk id, for `tether/changes/undo`. */
  id: string;
  /** Whether the hunk is in the file or was undone. */
  state: "applied" | "undone";
  /** 1-based first line in the file before the turn. */
  oldStart: number;
  /** Lines it replaced. */
  oldLines: number;
  /** 1-based first line in the turn's text. */
  newStart: number;
  /** Lines it put there. */
  newLines: number;
  /** The lines it replaced. */
  removed: string[];
  /** The lines it put there. */
  added: string[];
}

/** An image attached to a message. */
export interface ImagePart {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Always `image`. */
  type: "image";
  /** MIME type, e.g. image/png. */
  mediaType: string;
  /** Base64 image bytes. */
  data?: string | null;
  /** Where the image lives, when not inlined. */
  uri?: string | null;
}

/** Params of `tether/session/importCodex`: Codex CLI rollouts of this folder. */
export interface ImportCodexParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The workspace folder; rollouts whose cwd is it. */
  folderUri: string;
  /** A rollout file or a folder of them (default: ~/.codex/sessions). */
  path?: string | null;
}

/** What `tether/session/importCodex` did. */
export interface ImportCodexResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Ids of the sessions created. */
  imported: string[];
  /** Rollouts already imported (or of other folders). */
  skipped: number;
  /** Files that could not be read. */
  problems: string[];
}

/** One found file (results are files first); `line`/`symbol`/`preview` are its best line. */
export interface IndexSearchHit {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Path relative to the folder. */
  path: string;
  /** file:// URI. */
  uri: string;
  /** Higher is better. */
  score: number;
  /** 0-based line of the file's best line, if any. */
  line?: number | null;
  /** Symbol name on the best line, if any. */
  symbol?: string | null;
  /** The best line's text. */
  preview?: string | null;
  /** The file's best lines, best first. */
  lines: IndexSearchLine[];
}

/** A line inside a found file. */
export interface IndexSearchLine {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** 0-based line. */
  line: number;
  /** Higher is better (within the file). */
  score: number;
  /** The definition on this line, if the query names it. */
  symbol?: string | null;
  /** The line's text. */
  preview: string;
}

/** Params of `tether/index/search`. */
export interface IndexSearchParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The workspace folder. */
  folderUri: string;
  /** Search text. */
  query: string;
  /** Maximum results. */
  limit?: number;
}

/** The answer of `tether/index/search`. */
export interface IndexSearchResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Files, best first. */
  results: IndexSearchHit[];
}

/** Params of `tether/index/status`. */
export interface IndexStatusParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The workspace folder. */
  folderUri: string;
}

/** The state of a folder's workspace index. */
export interface IndexStatusResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Index state. */
  state: "idle" | "indexing" | "ready" | "failed";
  /** Files indexed. */
  files: number;
  /** Symbols indexed. */
  symbols: number;
  /** ISO time of the last update. */
  lastUpdate?: string | null;
  /** Failure reason, when failed. */
  message?: string | null;
}

/** Params of `tether/session/list`. */
export interface ListSessionsParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The workspace folder. */
  folderUri: string;
  /** Page size. */
  limit?: number;
  /** From a previous `nextCursor`. */
  cursor?: string | null;
  /** Filter on the title or the first prompt line (case-insensitive). */
  query?: string | null;
  /** List archived sessions too. */
  includeArchived?: boolean;
}

/** A page of a folder's sessions. */
export interface ListSessionsResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Newest first. */
  sessions: SessionSummary[];
  /** Pass back for the next page. */
  nextCursor?: string | null;
}

/** Params of `tether/session/load`. */
export interface LoadSessionParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session. */
  sessionId: string;
  /** Only the last N messages (default 1000). */
  tail?: number | null;
}

/** A session's header and transcript. */
export interface LoadSessionResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The header, title and usage folded in. */
  session: SessionInfo;
  /** Messages, oldest first. */
  messages: Message[];
  /** True when older messages were left out. */
  truncated: boolean;
  /** The last durable seq; replay from here. */
  lastSeq: number;
  /** Turns rewound (`tether/session/rewind`): shown marked, left out of the model's context. */
  rewoundTurnIds: string[];
}

/** One configured MCP server and how it is doing. */
export interface McpServerStatus {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The server's name in the config. */
  name: string;
  /** stdio (a command) or http. */
  transport: "stdio" | "http";
  /** Declared in the user config, `.tether/config.toml`, or by a session. */
  source: "user" | "workspace" | "session";
  /** The command line or URL (no env or header values). */
  target: string;
  /** idle until first used, then starting/ready. */
  state: "idle" | "starting" | "ready" | "failed" | "stopped";
  /** Why it failed, when it did. */
  error: string;
  /** Times it was started again after a crash. */
  restarts: number;
  /** False: a workspace server the user has not trusted (it does not start). */
  trusted: boolean;
  /** Its tools. */
  tools: McpToolInfo[];
}

/** Params of `tether/mcp/status`. */
export interface McpStatusParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Also list this folder's workspace servers (`.tether/config.toml`). */
  folderUri?: string | null;
}

/** The answer of `tether/mcp/status`. */
export interface McpStatusResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Every configured server. */
  servers: McpServerStatus[];
}

/** One tool an MCP server offers, as the agent sees it. */
export interface McpToolInfo {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The agent's name for it: `mcp__SERVER__TOOL`. */
  name: string;
  /** The server's description. */
  description: string;
}

/** Something the user pointed at with `@` in the prompt (structured, not only text). */
export interface Mention {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** file, folder or symbol. */
  kind: "file" | "folder" | "symbol";
  /** file:// URI of the file or folder (a symbol's file). */
  uri: string;
  /** What the prompt shows, e.g. `@src/app.py`, `@greet`. */
  name?: string;
  /** A symbol's definition lines. */
  range?: Range | null;
}

/** Params of `tether/mention/complete`: what the user typed after `@`. */
export interface MentionCompleteParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The workspace folder. */
  folderUri: string;
  /** Text after `@` so far. */
  prefix?: string;
  /** Items at most. */
  limit?: number;
}

/** The answer of `tether/mention/complete`. */
export interface MentionCompleteResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Best first: files, folders, symbols. */
  items: MentionItem[];
}

/** A completion for `@`: insert `insert`, send `mention` with the prompt. */
export interface MentionItem {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** What the list shows. */
  label: string;
  /** Kind and place, e.g. `function · src/app.py:12`. */
  detail: string;
  /** Text to put after `@` in the prompt. */
  insert: string;
  /** The structured mention to send with the prompt. */
  mention: Mention;
}

/** One message of the conversation, as stored in history. */
export interface Message {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Message id (UUID4 hex). */
  id: string;
  /** Who speaks. */
  role: Role;
  /** Ordered content parts. */
  parts: Part[];
  /** When it was added. */
  createdAt: string;
  /** The turn that produced it. */
  turnId?: string | null;
  /** Cut short by a cancel; the text is partial and must not be redone. */
  interrupted: boolean;
}

/** A complete message was appended to the history (user, assistant or tool). */
export interface MessageAdded {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `message_added`. */
  type: "message_added";
  /** A complete message appended to the history. */
  message: Message;
}

/**
 * Assistant text streamed since the previous checkpoint, saved every few seconds.
 *
 * Durable, so a reply whose process is killed mid-stream keeps its text: on the next
 * load the turn gets `turn_failed` and the checkpoints of the message, concatenated,
 * become an interrupted message. Each holds only the new text, so a long reply is not
 * stored over and over. Clients need not render it (the deltas showed the text).
 */
export interface MessageCheckpoint {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `message_checkpoint`. */
  type: "message_checkpoint";
  /** The assistant message being streamed. */
  messageId: string;
  /** Text streamed since this message's previous checkpoint. */
  text: string;
  /** Reasoning streamed since the previous one. */
  reasoning: string;
}

/** A model Tether can reach. */
export interface ModelInfo {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Model selector `provider/model`. */
  id: string;
  /** Provider name. */
  provider: string;
  /** Model name at the provider. */
  name: string;
  /** Window in tokens, when known. */
  contextWindow: number;
}

/** The answer of `tether/models/list`. */
export interface ModelsListResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Models Tether knows how to reach. */
  models: ModelInfo[];
  /** The configured default selector. */
  default: string;
}

/** The answer of methods that only succeed or fail. */
export interface OkResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Always true; errors are JSON-RPC errors. */
  ok: boolean;
}

/** Discriminated on `type`. */
export type Part =
  | TextPart
  | ImagePart
  | FilePart
  | ToolCallPart
  | ToolResultPart
  | ThinkingPart;

/** Params of the server → client request `tether/permission/request`. */
export interface PermissionRequestParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session. */
  sessionId: string;
  /** The tool call waiting. */
  toolCallId: string;
  /** Tool name. */
  tool: string;
  /** What the call will do. */
  description: string;
  /** The change, for edits. */
  diff?: string | null;
  /** What the user may answer. */
  options: PermissionOption[];
}

/** The client's answer to `tether/permission/request`. */
export interface PermissionRequestResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The user's answer. */
  option: PermissionOption;
  /** What the user said with a rejection; the model reads it as the result. */
  comment?: string | null;
}

/** A tool call waits for the user's permission. */
export interface PermissionRequested {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `permission_requested`. */
  type: "permission_requested";
  /** The tool call waiting for permission. */
  toolCallId: string;
  /** Tool name. */
  tool: string;
  /** What the call will do, in a sentence. */
  description: string;
  /** The change, for edits. */
  diff?: string | null;
  /** What the user may answer. */
  options: PermissionOption[];
}

/** The user (or a rule) answered a permission request. */
export interface PermissionResolved {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `permission_resolved`. */
  type: "permission_resolved";
  /** The tool call. */
  toolCallId: string;
  /** What was chosen. */
  option: PermissionOption;
}

/** Durable record: text pinned into every request, verbatim, through every compaction. */
export interface PinAdded {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `pin`. */
  type: "pin";
  /** Id to unpin it with. */
  pinId: string;
  /** The pinned text. */
  text: string;
}

/** Params of `tether/session/pin`. */
export interface PinParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session. */
  sessionId: string;
  /** Text kept verbatim in every request. */
  text: string;
}

/** Durable record: a pin was removed. */
export interface PinRemoved {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `unpin`. */
  type: "unpin";
  /** The pin removed. */
  pinId: string;
}

/** The answer of `tether/session/pin`. */
export interface PinResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Id of the new pin (for `tether/session/unpin`). */
  pinId: string;
}

/** A position in a text document, as LSP counts it. */
export interface Position {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** 0-based line. */
  line: number;
  /** 0-based UTF-16 column, as LSP. */
  character: number;
}

/** What the editor shows the user, attached to a prompt. */
export interface PromptContext {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The editor's active file. */
  activeFileUri?: string | null;
  /** The selection in the active file. */
  selection?: Range | null;
  /** More files to attach. */
  extraFileUris?: string[];
  /** The active file's language id. */
  languageId?: string | null;
  /** The cursor in the active file. */
  cursor?: Position | null;
  /** `@file`, `@folder`, `@symbol` the user chose. */
  mentions?: Mention[];
  /** The active file's diagnostics, as the editor has them. */
  diagnostics?: PromptDiagnostic[];
}

/** One diagnostic the editor shows for a file (LSP diagnostics it already has). */
export interface PromptDiagnostic {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The file; default: the active file. */
  uri?: string | null;
  /** Where. */
  range: Range;
  /** error … hint. */
  severity?: "error" | "warning" | "information" | "hint";
  /** The diagnostic's message. */
  message: string;
  /** Who reported it (pyright, eslint, …). */
  source?: string | null;
  /** Its code, if any. */
  code?: string | null;
}

/** Params of `tether/session/prompt`. */
export interface PromptParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session. */
  sessionId: string;
  /** The user's message. */
  text: string;
  /** Editor context to attach. */
  context?: PromptContext | null;
  /** The client's id for its optimistic copy of this message; echoed on the turn's `turn_started` event so the client reconciles by id, not by text. */
  clientMessageId?: string | null;
}

/**
 * The answer of `tether/provider/check`: can the configured provider be reached now?
 * Editors ask when the chat opens, so a wrong address or key shows before the first
 * prompt.
 */
export interface ProviderCheckResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Provider kind: openai, anthropic, ollama, replay. */
  provider: string;
  /** Model selector `provider/model` of new sessions. */
  model: string;
  /** Who answers, named by what it is: "OpenAI", "the OpenAI-compatible server at http://127.0.0.1:8765/v1", "Ollama at …". */
  label: string;
  /** ok, unreachable (nothing answers), unauthorized (key missing or rejected), failed (answers with an error). */
  state: "ok" | "unreachable" | "unauthorized" | "failed";
  /** One short sentence for the user. */
  message: string;
  /** What to do about it, when not ok. */
  fix?: string | null;
  /** The setting (camelCase, as in `workspace/configuration`) that fixes it, if one does. */
  setting?: string | null;
}

/** A range in a text document, as LSP counts it. */
export interface Range {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Start, inclusive. */
  start: Position;
  /** End, exclusive. */
  end: Position;
}

/** A piece of the model's reasoning as it streams (coalesced, see below). */
export interface ReasoningDelta {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `reasoning_delta`. */
  type: "reasoning_delta";
  /** The assistant message being streamed. */
  messageId: string;
  /** Reasoning text to append. */
  text: string;
}

/** Params of `tether/session/rename`. */
export interface RenameParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session. */
  sessionId: string;
  /** The new title. */
  title: string;
}

/** Params of `tether/session/replay`. */
export interface ReplayParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session. */
  sessionId: string;
  /** Re-send durable events with seq > fromSeq. */
  fromSeq?: number;
}

/** The answer of `tether/session/replay`, sent after the replayed events. */
export interface ReplayResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Events re-sent as `tether/session/event`. */
  count: number;
  /** The last seq sent. */
  lastSeq: number;
}

/** Params of `tether/session/rewind`. */
export interface RewindParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session. */
  sessionId: string;
  /** Rewind to before this turn (the last: undo turn). */
  turnId: string;
}

/** The answer of `tether/session/rewind`. */
export interface RewindResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Files restored. */
  restored: string[];
  /** Files left untouched, and why. */
  conflicts: ChangeConflict[];
  /** Turns rewound. */
  rewoundTurnIds: string[];
}

/** Params of `tether/session/search`: full-text search over a folder's sessions. */
export interface SearchSessionsParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The workspace folder. */
  folderUri: string;
  /** Words that must all appear (prefixes match). */
  query: string;
  /** At most this many sessions. */
  limit?: number;
  /** Search archived sessions too. */
  includeArchived?: boolean;
}

/** The answer of `tether/session/search`, best match first. */
export interface SearchSessionsResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** One per matching session. */
  hits: SessionSearchHit[];
}

/** Discriminated on `type`. */
export type SessionEvent =
  | TurnStarted
  | MessageAdded
  | TextDelta
  | ReasoningDelta
  | TextComplete
  | ToolCallStarted
  | ToolOutputChunk
  | ToolHeartbeat
  | ToolCallCompleted
  | FileEdited
  | PermissionRequested
  | PermissionResolved
  | UsageUpdated
  | StreamRetry
  | ContextTruncated
  | ErrorEvent
  | TitleChanged
  | TurnCompleted
  | TurnCancelled
  | TurnFailed
  | StepLimitReached
  | CompactionStarted
  | Compaction
  | CompactionCompleted
  | CompactionFailed
  | PinAdded
  | PinRemoved
  | Checkpoint
  | MessageCheckpoint
  | ArchiveChanged
  | ChangeUndone
  | TurnRewound;

/** Params of the `tether/session/event` notification. */
export interface SessionEventNotification {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session. */
  sessionId: string;
  /** The turn, if any. */
  turnId?: string | null;
  /** The event's seq. */
  seq: number;
  /** The event itself. */
  event: SessionEvent;
}

/** Params of methods that only name a session. */
export interface SessionIdParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session. */
  sessionId: string;
}

/** The header of a session: what it is, not what was said. */
export interface SessionInfo {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Session id (UUID4). */
  id: string;
  /** Short title; empty until the first turn ends. */
  title: string;
  /** Creation time (UTC). */
  createdAt: string;
  /** Last durable record time. */
  updatedAt: string;
  /** Canonical absolute path of the folder. */
  workspaceFolder: string;
  /** Model selector `provider/model`. */
  model: string;
  /** Agent name. */
  agent: string;
  /** Usage totals over all turns. */
  usage: Usage;
  /** Free-form metadata. */
  metadata: { [key: string]: unknown };
  /** Parent session id for a fork. */
  forkedFrom?: string | null;
}

/** One session that matches, with its best snippet. */
export interface SessionSearchHit {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session. */
  sessionId: string;
  /** Its title. */
  title: string;
  /** Text around the best match (plain text). */
  snippet: string;
  /** [start, end) character ranges of `snippet` matched. */
  highlights: number[][];
  /** Where it matched: user, assistant, reasoning, tool_call, tool_output, file or title. */
  kind: string;
  /** The session is archived. */
  archived: boolean;
}

/** A listing row: enough for a history view without reading the whole file. */
export interface SessionSummary {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Session id. */
  id: string;
  /** Title. */
  title: string;
  /** Creation time (UTC). */
  createdAt: string;
  /** Last update (UTC). */
  updatedAt: string;
  /** Messages in the history. */
  messageCount: number;
  /** Model selector. */
  model: string;
  /** Canonical folder path. */
  workspaceFolder: string;
  /** Hidden from the default list, kept on disk. */
  archived: boolean;
  /** Usage totals over all turns. */
  usage: Usage;
  /** US dollars for `usage` at the model's price; null when the model has no price. */
  cost?: number | null;
  /** The first line of the session's first prompt, at most 200 characters; "" before anything was asked. */
  firstPrompt: string;
  /** Files the agent's applied edits touched, relative to the folder, first touch first; at most 50 (`fileCount` has all). */
  filesTouched: string[];
  /** How many distinct files the agent's applied edits touched. */
  fileCount: number;
  /** How the newest turn ended: `completed`, `failed`, `cancelled`, `step_limit`, or `unfinished` (started, no end in history: running now, or its process ended and the next load closes it as failed); null before the first turn. */
  lastTurn?: "completed" | "failed" | "cancelled" | "step_limit" | "unfinished" | null;
  /** The reason the newest turn's end gave (why it failed, who cancelled), clipped; "" for none. */
  lastTurnReason: string;
}

/** Params of `tether/session/steer`. */
export interface SteerParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session. */
  sessionId: string;
  /** Input joining the running turn at its next step. */
  text: string;
}

/** The answer of `tether/session/steer`. */
export interface SteerResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** True when queued into a running turn. */
  queued: boolean;
}

/** Terminal: the turn hit the step limit (`maxSteps` model calls). */
export interface StepLimitReached {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `step_limit_reached`. */
  type: "step_limit_reached";
  /** A readable reason. */
  reason: string;
  /** Steps taken. */
  steps: number;
}

/** A model request or stream failed transiently and is retried. */
export interface StreamRetry {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `stream_retry`. */
  type: "stream_retry";
  /** 1 for the first retry. */
  attempt: number;
  /** Why the request or stream is retried. */
  reason: string;
  /** Wait before the retry. */
  delaySeconds: number;
  /** The partial assistant message streamed before the failure: clients drop it (its deltas); the retry streams under a fresh message id and never repeats text under this one. */
  discardMessageId?: string | null;
}

/** Under `capabilities.experimental.tether` in the client's initialize params. */
export interface TetherClientCapabilities {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Client answers `tether/permission/request`. */
  permissions?: boolean;
}

/** Under `capabilities.experimental.tether` in the initialize result. */
export interface TetherServerCapabilities {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Tether protocol version. */
  protocolVersion: string;
  /** Tether server version. */
  serverVersion: string;
  /** Custom methods served. */
  methods: string[];
}

/** An assistant message finished streaming; carries its full text. */
export interface TextComplete {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `text_complete`. */
  type: "text_complete";
  /** The assistant message that finished streaming. */
  messageId: string;
  /** Its full text. */
  text: string;
}

/** A piece of the assistant's answer as it streams (coalesced, see below). */
export interface TextDelta {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `text_delta`. */
  type: "text_delta";
  /** The assistant message being streamed. */
  messageId: string;
  /** Text to append. */
  text: string;
}

/** Text of a message. */
export interface TextPart {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Always `text`. */
  type: "text";
  /** Plain or markdown text. */
  text: string;
}

/** The model's reasoning, kept with the message. */
export interface ThinkingPart {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Always `thinking`. */
  type: "thinking";
  /** The model's reasoning, as streamed. */
  text: string;
  /** Provider signature (Anthropic). */
  signature?: string | null;
}

/** The session's title changed (set after the first turn, or renamed). */
export interface TitleChanged {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `title_changed`. */
  type: "title_changed";
  /** The new title. */
  title: string;
}

/** A tool call ended: succeeded, failed, was refused or cancelled. */
export interface ToolCallCompleted {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `tool_call_completed`. */
  type: "tool_call_completed";
  /** Tool call id. */
  toolCallId: string;
  /** Tool name. */
  name: string;
  /** False for errors, refusals and cancels. */
  success: boolean;
  /** Wall time of the call. */
  durationMs: number;
  /** Output, capped for display. */
  output: string;
  /** True when `output` was capped. */
  truncated: boolean;
}

/** A tool call the model made. */
export interface ToolCallPart {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Always `tool_call`. */
  type: "tool_call";
  /** Provider-assigned tool call id. */
  id: string;
  /** Tool name. */
  name: string;
  /** Parsed arguments. */
  arguments: { [key: string]: unknown };
  /** The argument text as streamed, kept when it was not valid JSON. */
  rawArguments?: string | null;
}

/** The model called a tool; it starts now (after any permission). */
export interface ToolCallStarted {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `tool_call_started`. */
  type: "tool_call_started";
  /** Tool call id. */
  toolCallId: string;
  /** Tool name. */
  name: string;
  /** Arguments. */
  arguments: { [key: string]: unknown };
}

/** A long tool call is still running. */
export interface ToolHeartbeat {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `tool_heartbeat`. */
  type: "tool_heartbeat";
  /** Tool call id still running. */
  toolCallId: string;
  /** Time since the call started. */
  elapsedMs: number;
}

/** Output a running tool produced (e.g. a command's stdout). */
export interface ToolOutputChunk {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `tool_output_chunk`. */
  type: "tool_output_chunk";
  /** Tool call id. */
  toolCallId: string;
  /** Output produced since the last chunk. */
  text: string;
}

/** What a tool call returned, sent back to the model. */
export interface ToolResultPart {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Always `tool_result`. */
  type: "tool_result";
  /** The tool call this answers. */
  toolCallId: string;
  /** What the tool returned to the model. */
  content: string;
  /** True when the call failed or was refused. */
  isError: boolean;
}

/** Terminal: the turn was cancelled; partial work is kept, marked interrupted. */
export interface TurnCancelled {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `turn_cancelled`. */
  type: "turn_cancelled";
  /** Who or what cancelled. */
  reason: string;
}

/** The change set of one turn. */
export interface TurnChangesInfo {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The turn. */
  turnId: string;
  /** The turn was rewound. */
  rewound: boolean;
  /** Touched files. */
  files: FileChangeInfo[];
}

/** Terminal: the model finished its answer. */
export interface TurnCompleted {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `turn_completed`. */
  type: "turn_completed";
  /** Why the model stopped. */
  reason: string;
  /** The final answer text. */
  text: string;
}

/** Terminal: the turn failed (provider error, bug); `reason` says why. */
export interface TurnFailed {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `turn_failed`. */
  type: "turn_failed";
  /** A readable reason. */
  reason: string;
  /** Error code from protocol-spec.md, if any. */
  code?: number | null;
}

/** How a turn ended; the answer of `tether/session/prompt`. */
export interface TurnResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session. */
  sessionId: string;
  /** The turn that ended. */
  turnId: string;
  /** How it ended. */
  status: TurnStatus;
  /** The final answer text; when cancelled, what was said so far. */
  text: string;
  /** Usage of this turn. */
  usage: Usage;
  /** Why it ended (for non-completed turns). */
  reason: string;
}

/**
 * The session was rewound to before `toTurnId`: files restored, turns left out of
 * the model's context from now on (they stay in history and in `load`, marked).
 */
export interface TurnRewound {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `turn_rewound`. */
  type: "turn_rewound";
  /** The first turn rewound. */
  toTurnId: string;
  /** Every turn rewound, oldest first. */
  rewoundTurnIds: string[];
  /** Files restored. */
  restored: string[];
  /** Files left untouched, and why. */
  conflicts: ChangeConflict[];
}

/** A turn began: the user's prompt was accepted. */
export interface TurnStarted {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `turn_started`. */
  type: "turn_started";
  /** The user's text that started the turn. */
  prompt: string;
  /** Model selector used for the turn. */
  model: string;
  /** The `clientMessageId` the prompt carried, if any. */
  clientMessageId?: string | null;
}

/** Params of `tether/session/unpin`. */
export interface UnpinParams {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session. */
  sessionId: string;
  /** The pin to remove. */
  pinId: string;
}

/** The answer of `tether/session/unpin`. */
export interface UnpinResult {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** False when no such pin was active. */
  removed: boolean;
}

/** Token counts; zero where a provider does not report a figure. */
export interface Usage {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** Input tokens of the request(s). */
  promptTokens: number;
  /** Output tokens generated. */
  completionTokens: number;
  /** prompt + completion as the provider counted. */
  totalTokens: number;
  /** Prompt tokens served from a provider cache. */
  cacheReadTokens: number;
  /** Prompt tokens written to a provider cache. */
  cacheWriteTokens: number;
}

/** Token usage after a model call, and how full the context is. */
export interface UsageUpdated {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
  /** The session the event belongs to. */
  sessionId: string;
  /** The turn; null for events outside a turn. */
  turnId?: string | null;
  /** Per-session, strictly increasing sequence number. */
  seq: number;
  /** When it happened (UTC). */
  time: string;
  /** Always `usage`. */
  type: "usage";
  /** Usage of the step just finished. */
  usage: Usage;
  /** Session totals after this step. */
  total: Usage;
  /** Estimated tokens of the last request. */
  contextTokens: number;
  /** The model's context window, when known. */
  contextWindow: number;
  /** US dollars of this step; null when the model has no price (clients show tokens only). */
  cost?: number | null;
  /** US dollars of the turn so far. */
  turnCost?: number | null;
  /** US dollars of the session so far. */
  sessionCost?: number | null;
}

/**
 * A protocol message or record.
 *
 * Unknown fields are ignored (older servers must read newer clients' messages);
 * `_meta` is the extension point, as in the Agent Client Protocol.
 */
export interface WireModel {
  /** Extension data; ignored by Tether. */
  _meta?: { [key: string]: unknown } | null;
}

export type SessionEventType = SessionEvent["type"];
export const DURABLE_EVENT_TYPES: readonly SessionEventType[] = [
  "turn_started",
  "message_added",
  "tool_call_started",
  "tool_call_completed",
  "file_edited",
  "permission_requested",
  "permission_resolved",
  "usage",
  "stream_retry",
  "context_truncated",
  "error",
  "title_changed",
  "turn_completed",
  "turn_cancelled",
  "turn_failed",
  "step_limit_reached",
  "compaction",
  "compaction_completed",
  "compaction_failed",
  "pin",
  "unpin",
  "checkpoint",
  "message_checkpoint",
  "archive_changed",
  "change_undone",
  "turn_rewound",
];
export const TERMINAL_EVENT_TYPES: readonly SessionEventType[] = [
  "turn_completed",
  "turn_cancelled",
  "turn_failed",
  "step_limit_reached",
];

/** Custom method names. */
export const Method = {
  SessionCreate: "tether/session/create",
  SessionPrompt: "tether/session/prompt",
  SessionCancel: "tether/session/cancel",
  SessionSteer: "tether/session/steer",
  SessionList: "tether/session/list",
  SessionLoad: "tether/session/load",
  SessionReplay: "tether/session/replay",
  SessionDelete: "tether/session/delete",
  SessionRename: "tether/session/rename",
  SessionFork: "tether/session/fork",
  SessionExport: "tether/session/export",
  ModelsList: "tether/models/list",
  IndexStatus: "tether/index/status",
  IndexSearch: "tether/index/search",
  SessionEvent: "tether/session/event",
  PermissionRequest: "tether/permission/request",
  SessionPin: "tether/session/pin",
  SessionUnpin: "tether/session/unpin",
  SessionContinue: "tether/session/continue",
  SessionContext: "tether/session/context",
  SessionSearch: "tether/session/search",
  SessionArchive: "tether/session/archive",
  SessionImportCodex: "tether/session/importCodex",
  McpStatus: "tether/mcp/status",
  MentionComplete: "tether/mention/complete",
  ChangesList: "tether/changes/list",
  ChangesUndo: "tether/changes/undo",
  SessionRewind: "tether/session/rewind",
  ProviderCheck: "tether/provider/check",
  CodeBlockApply: "tether/codeBlock/apply",
} as const;
export type MethodName = (typeof Method)[keyof typeof Method];

/** Params type of each custom method (`void` for notifications). */
export interface MethodParamsMap {
  "tether/session/create": CreateSessionParams;
  "tether/session/prompt": PromptParams;
  "tether/session/cancel": SessionIdParams;
  "tether/session/steer": SteerParams;
  "tether/session/list": ListSessionsParams;
  "tether/session/load": LoadSessionParams;
  "tether/session/replay": ReplayParams;
  "tether/session/delete": SessionIdParams;
  "tether/session/rename": RenameParams;
  "tether/session/fork": ForkParams;
  "tether/session/export": ExportParams;
  "tether/models/list": EmptyParams;
  "tether/index/status": IndexStatusParams;
  "tether/index/search": IndexSearchParams;
  "tether/session/event": SessionEventNotification;
  "tether/permission/request": PermissionRequestParams;
  "tether/session/pin": PinParams;
  "tether/session/unpin": UnpinParams;
  "tether/session/continue": SessionIdParams;
  "tether/session/context": SessionIdParams;
  "tether/session/search": SearchSessionsParams;
  "tether/session/archive": ArchiveParams;
  "tether/session/importCodex": ImportCodexParams;
  "tether/mcp/status": McpStatusParams;
  "tether/mention/complete": MentionCompleteParams;
  "tether/changes/list": ChangesListParams;
  "tether/changes/undo": ChangesUndoParams;
  "tether/session/rewind": RewindParams;
  "tether/provider/check": EmptyParams;
  "tether/codeBlock/apply": CodeBlockApplyParams;
}

/** Result type of each custom method (`void` for notifications). */
export interface MethodResultMap {
  "tether/session/create": CreateSessionResult;
  "tether/session/prompt": TurnResult;
  "tether/session/cancel": CancelResult;
  "tether/session/steer": SteerResult;
  "tether/session/list": ListSessionsResult;
  "tether/session/load": LoadSessionResult;
  "tether/session/replay": ReplayResult;
  "tether/session/delete": OkResult;
  "tether/session/rename": OkResult;
  "tether/session/fork": CreateSessionResult;
  "tether/session/export": ExportResult;
  "tether/models/list": ModelsListResult;
  "tether/index/status": IndexStatusResult;
  "tether/index/search": IndexSearchResult;
  "tether/session/event": void;
  "tether/permission/request": PermissionRequestResult;
  "tether/session/pin": PinResult;
  "tether/session/unpin": UnpinResult;
  "tether/session/continue": TurnResult;
  "tether/session/context": ContextResult;
  "tether/session/search": SearchSessionsResult;
  "tether/session/archive": OkResult;
  "tether/session/importCodex": ImportCodexResult;
  "tether/mcp/status": McpStatusResult;
  "tether/mention/complete": MentionCompleteResult;
  "tether/changes/list": ChangesListResult;
  "tether/changes/undo": ChangesUndoResult;
  "tether/session/rewind": RewindResult;
  "tether/provider/check": ProviderCheckResult;
  "tether/codeBlock/apply": CodeBlockApplyResult;
}

/** JSON-RPC error codes of Tether's custom methods. */
export enum ErrorCode {
  /** A message body is not JSON (or not UTF-8); answered with `id: null`. */
  ParseError = -32700,
  /** A message is JSON but not a JSON-RPC 2.0 message (an array, a number, an object without `method`, a bad `jsonrpc`); answered with its `id` when it has a usable one. */
  InvalidRequest = -32600,
  /** Params failed validation; `data.errors[].path` names each field. */
  InvalidParams = -32602,
  /** No session with that id in any open workspace folder. */
  UnknownSession = -32001,
  /** A turn is already running in that session (steer or cancel it); `data.elsewhere` is true when it runs in another Tether process (another window). */
  TurnInProgress = -32002,
  /** The model provider cannot be reached; `message` says what to set. */
  ProviderUnavailable = -32003,
  /** The provider rejected the API key (401/403). */
  ProviderAuth = -32004,
  /** The provider kept answering 429 after the bounded retries. */
  ProviderRateLimited = -32005,
  /** The provider failed in another way (5xx, dropped stream, timeout). */
  ProviderFailed = -32006,
  /** The folder URI is not one of the editor's workspace folders. */
  FolderNotInWorkspace = -32007,
  /** A path resolves outside the session's workspace folder. */
  PathOutsideWorkspace = -32008,
  /** A session file's header cannot be read; the file is left untouched. */
  HistoryCorrupt = -32009,
  /** History could not be read or written (disk full, permissions). */
  StoreFailed = -32010,
  /** The workspace index for that folder is not built or failed. */
  IndexUnavailable = -32011,
  /** Settings could not be used; defaults apply. */
  ConfigInvalid = -32012,
  /** Remote server (TCP): a message before `initialize`, or `initialize` without the right `initializationOptions.tether.token`; the server closes the connection. */
  Unauthorized = -32013,
  /** A bug in Tether; the message and the server log say more. */
  Internal = -32099,
}
