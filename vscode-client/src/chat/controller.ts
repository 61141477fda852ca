/**
 * The chat: one current session, its transcript, and what the user does with it (send,
 * steer, stop, new chat, answer permissions, pick a model). Server events are reduced
 * here and mirrored to the webview, which runs the same reducer.
 */
import * as crypto from "node:crypto";
import * as vscode from "vscode";

import {
  Method,
  type ContextResult,
  type Mention,
  type ModelInfo,
  type PermissionOption,
  type PermissionRequestParams,
  type PermissionRequestResult,
  type PromptContext,
  type PromptDiagnostic,
  type SessionEventNotification,
  type ProviderCheckResult,
  type TurnResult,
} from "../protocol";
import type { TetherApi } from "../server/api";
import { errorText, type ServerState } from "../server/supervisor";
import {
  type Action,
  emptyTranscript,
  fromHistory,
  reduce,
  type Transcript,
} from "../state/transcript";
import { applyCodeBlock, runCodeAction } from "./codeActions";
import { runFix } from "./fixes";
import type { FromWebview, ModelChoice } from "./messages";
import type { ChatView } from "./view";

const MODEL_KEY = "tether.selectedModel";

interface PendingPermission {
  sessionId: string;
  resolve: (result: PermissionRequestResult) => void;
}

export class ChatController implements vscode.Disposable {
  private transcript: Transcript = emptyTranscript();
  private folderUri: string | null = null;
  private models: ModelInfo[] = [];
  private defaultModel = "";
  private server: ServerState = "stopped";
  private provider: ProviderCheckResult | null = null;
  private readonly pending = new Map<string, PendingPermission>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];

  /** Fires when the session, its title or its running state changes (history, status bar). */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly api: TetherApi,
    private readonly view: ChatView,
    private readonly memento: vscode.Memento,
  ) {
    this.disposables.push(view.onMessage((msg) => void this.onWebviewMessage(msg)));
  }

  get sessionId(): string | null {
    return this.transcript.sessionId;
  }

  get running(): boolean {
    return this.transcript.running;
  }

  /** The workspace folder URI of the session shown, if any. */
  get folder(): string | null {
    return this.folderUri;
  }

  /** True while the chat shows nothing: no session and no messages. */
  get isEmpty(): boolean {
    return !this.transcript.sessionId && !this.transcript.items.length;
  }

  get selectedModel(): string {
    return this.memento.get<string>(MODEL_KEY) || this.defaultModel;
  }

  get current(): Transcript {
    return this.transcript;
  }

  dispose(): void {
    for (const p of this.pending.values()) p.resolve({ option: "reject" });
    this.pending.clear();
    this.changed.dispose();
    for (const d of this.disposables) d.dispose();
  }

  // --- server side -------------------------------------------------------------------

  onEvent(notification: SessionEventNotification): void {
    if (notification.sessionId !== this.transcript.sessionId) return;
    const before = this.transcript;
    this.apply({ kind: "event", notification });
    const type = notification.event.type;
    if (
      before.running !== this.transcript.running ||
      before.title !== this.transcript.title ||
      type === "turn_started"
    ) {
      this.changed.fire();
    }
  }

  onServerState(state: ServerState): void {
    this.server = state;
    this.view.post({ type: "server", state });
    if (state !== "running") {
      this.apply({ kind: "serverLost" });
      for (const [id, p] of this.pending) {
        p.resolve({ option: "reject" });
        this.pending.delete(id);
      }
    } else {
      void this.refreshModels();
      void this.checkProvider();
    }
  }

  /** Ask the server whether the provider answers, and show it in the chat (issue 15). */
  async checkProvider(): Promise<void> {
    try {
      this.provider = await this.api.checkProvider();
    } catch {
      this.provider = null; // an older server, or it went away: show nothing
    }
    this.view.post({ type: "provider", check: this.provider });
  }

  /** `tether/permission/request`: inline in the chat when it shows that session. */
  askPermission(
    params: PermissionRequestParams,
    token: vscode.CancellationToken,
  ): Promise<PermissionRequestResult> {
    return new Promise((resolve) => {
      this.pending.set(params.toolCallId, { sessionId: params.sessionId, resolve });
      token.onCancellationRequested(() => {
        if (this.pending.delete(params.toolCallId)) resolve({ option: "reject" });
      });
      if (params.sessionId === this.transcript.sessionId) {
        this.apply({ kind: "permissionAsked", params });
        void this.view.reveal(false);
      } else {
        void this.askInNotification(params);
      }
    });
  }

  private async askInNotification(params: PermissionRequestParams): Promise<void> {
    const labels: Record<PermissionOption, string> = {
      allow_once: "Allow once",
      allow_always: "Allow always",
      reject: "Reject",
    };
    const options = params.options.length ? params.options : (["allow_once", "reject"] as const);
    const choice = await vscode.window.showWarningMessage(
      `Tether (${params.tool}): ${params.description}`,
      ...options.map((o) => labels[o]),
    );
    const option = options.find((o) => labels[o] === choice) ?? "reject";
    this.answerPermission(params.toolCallId, option);
  }

  answerPermission(toolCallId: string, option: PermissionOption, comment?: string): void {
    const pending = this.pending.get(toolCallId);
    if (!pending) return;
    this.pending.delete(toolCallId);
    pending.resolve(comment ? { option, comment } : { option });
    if (pending.sessionId === this.transcript.sessionId) {
      this.apply({ kind: "permissionAnswered", toolCallId, option });
    }
  }

  // --- user side ---------------------------------------------------------------------

  async send(text: string, context?: PromptContext | null, mentions: Mention[] = []): Promise<void> {
    const trimmed = text.trim();
    if (!trimmed) return;
    if (this.transcript.running && this.transcript.sessionId) {
      const sessionId = this.transcript.sessionId;
      this.apply({ kind: "promptSent", text: trimmed, steer: true });
      try {
        const { queued } = await this.api.steer(sessionId, trimmed);
        if (!queued) this.notice("warning", "The turn ended before your message could join it; send it again.");
      } catch (err) {
        this.notice("error", `Could not steer: ${errorText(err)}`);
      }
      return;
    }
    let sessionId = this.transcript.sessionId;
    if (!sessionId) {
      sessionId = await this.createSession();
      if (!sessionId) return;
    }
    // A fresh id per prompt: the server echoes it on turn_started, so the optimistic item
    // finds its turn by identity, not by text (two identical prompts stay two items).
    const clientMessageId = crypto.randomUUID();
    this.apply({ kind: "promptSent", text: trimmed, steer: false, clientMessageId });
    this.changed.fire();
    const base = context === undefined ? editorContext(this.folderUri) : context;
    // Only the mentions whose `@name` is still in the text the user sent.
    const kept = mentions.filter((m) => !!m.name && trimmed.includes(m.name));
    const ctx = kept.length ? { ...(base ?? { extraFileUris: [] }), mentions: kept } : base;
    try {
      const result = await this.api.prompt(sessionId, trimmed, ctx, clientMessageId);
      this.turnEnded(sessionId, result);
      if (result.status === "failed") void this.checkProvider();
    } catch (err) {
      if (this.transcript.sessionId === sessionId) {
        this.apply({ kind: "promptEnded", status: "failed", reason: errorText(err), turnId: null });
      }
    }
    this.changed.fire();
  }

  /** The answer of a prompt or continue, for the chat that still shows its session. */
  private turnEnded(sessionId: string, result: TurnResult): void {
    if (this.transcript.sessionId === sessionId) {
      this.apply({ kind: "promptEnded", status: result.status, reason: result.reason, turnId: result.turnId });
    }
  }

  /** "Continue" after a step limit: a new turn resuming from the server's checkpoint. */
  async continueTurn(): Promise<void> {
    const sessionId = this.transcript.sessionId;
    if (!sessionId || this.transcript.running) return;
    this.changed.fire();
    try {
      const result = await this.api.continueTurn(sessionId);
      this.turnEnded(sessionId, result);
    } catch (err) {
      if (this.transcript.sessionId === sessionId) {
        this.notice("error", `Could not continue: ${errorText(err)}`);
      }
    }
    this.changed.fire();
  }

  /** What the next request would hold, for the gauge's hover (null when unknown). */
  async contextBreakdown(): Promise<ContextResult | null> {
    const sessionId = this.transcript.sessionId;
    if (!sessionId) return null;
    try {
      return await this.api.context(sessionId);
    } catch {
      return null;
    }
  }

  async stop(): Promise<void> {
    const sessionId = this.transcript.sessionId;
    if (!sessionId || !this.transcript.running) return;
    try {
      await this.api.cancel(sessionId);
    } catch (err) {
      this.notice("error", `Could not stop: ${errorText(err)}`);
    }
  }

  newChat(): void {
    this.setTranscript(emptyTranscript(null, this.selectedModel), null);
    void this.view.reveal(true);
  }

  /** Resume a stored session: its transcript is rebuilt from `tether/session/load`. */
  async openSession(sessionId: string, folderUri: string, quiet = false): Promise<boolean> {
    try {
      const result = await this.api.load(sessionId);
      this.setTranscript(fromHistory(result), folderUri);
      if (!quiet) await this.view.reveal(true);
      const ctx = await this.contextBreakdown();
      if (ctx?.canContinue && this.transcript.sessionId === sessionId) {
        this.apply({ kind: "continuable", reason: "the last turn stopped at the step limit" });
      }
      return true;
    } catch (err) {
      if (!quiet) void vscode.window.showErrorMessage(`Tether: cannot open the session: ${errorText(err)}`);
      return false;
    }
  }

  /** The session was deleted elsewhere (history view): forget it if it is shown. */
  forget(sessionId: string): void {
    if (this.transcript.sessionId === sessionId) this.newChat();
  }

  async pickModel(): Promise<void> {
    await this.refreshModels();
    if (!this.models.length) {
      void vscode.window.showInformationMessage("Tether: the server lists no models.");
      return;
    }
    const pick = await vscode.window.showQuickPick(
      this.models.map((m) => ({
        label: m.id,
        description: m.id === this.selectedModel ? "selected" : "",
        detail: m.contextWindow ? `${m.contextWindow.toLocaleString()} tokens` : undefined,
      })),
      { placeHolder: "Model for new chats" },
    );
    if (pick) await this.selectModel(pick.label);
  }

  async selectModel(id: string): Promise<void> {
    await this.memento.update(MODEL_KEY, id);
    this.view.post({ type: "models", models: this.modelChoice() });
    // An empty chat switches at once; a started one keeps its model.
    if (!this.transcript.items.length) this.setTranscript(emptyTranscript(null, id), null);
    this.changed.fire();
  }

  prefill(text: string): void {
    this.view.post({ type: "prefill", text });
  }

  submitInput(): void {
    this.view.post({ type: "submit" });
  }

  /** `tether.model` or `tether.provider` changed: the setting wins over an earlier pick. */
  async settingsChanged(): Promise<void> {
    await this.memento.update(MODEL_KEY, undefined);
    await this.refreshModels();
    void this.checkProvider();
    if (!this.transcript.items.length && !this.transcript.sessionId) {
      this.setTranscript(emptyTranscript(null, this.selectedModel), null);
    }
  }

  async refreshModels(): Promise<void> {
    try {
      const result = await this.api.models();
      this.models = result.models;
      this.defaultModel = result.default;
      this.view.post({ type: "models", models: this.modelChoice() });
      this.changed.fire();
    } catch {
      // Not fatal: the picker stays empty until the server answers.
    }
  }

  /** "Rewind to here" / "Undo turn": restore the turn's files; the transcript says so. */
  async rewind(turnId?: string | null): Promise<void> {
    const sessionId = this.transcript.sessionId;
    const target = turnId ?? this.transcript.turnId;
    if (!sessionId || !target) {
      void vscode.window.showInformationMessage("Tether: no turn to rewind yet.");
      return;
    }
    if (this.transcript.running) {
      this.notice("warning", "A turn is running: stop it before rewinding.");
      return;
    }
    try {
      await this.api.request(Method.SessionRewind, { sessionId, turnId: target });
    } catch (err) {
      this.notice("error", `Rewind failed: ${errorText(err)}`);
    }
  }

  /** Undo one file of a turn's change set (Undo on its row). */
  async undoFile(turnId: string, path: string): Promise<void> {
    const sessionId = this.transcript.sessionId;
    if (!sessionId) return;
    try {
      const result = await this.api.request(Method.ChangesUndo, { sessionId, turnId, path });
      for (const c of result.conflicts ?? []) this.notice("warning", `Not undone: ${c.path}: ${c.reason}`);
    } catch (err) {
      this.notice("error", `Undo failed: ${errorText(err)}`);
    }
  }

  // --- internals ---------------------------------------------------------------------

  private async onWebviewMessage(msg: FromWebview): Promise<void> {
    switch (msg.type) {
      case "ready":
        this.view.post({
          type: "snapshot",
          transcript: this.transcript,
          models: this.modelChoice(),
          server: this.server,
        });
        this.view.post({ type: "provider", check: this.provider });
        return;
      case "fix":
        return runFix(msg.action, msg.setting);
      case "code":
        if (msg.action === "apply") {
          return applyCodeBlock(this.api, this.transcript.sessionId, this.folderUri, msg.text, msg.target ?? null);
        }
        return runCodeAction(msg.action, msg.text);
      case "send":
        return this.send(msg.text, undefined, msg.mentions);
      case "mentionQuery":
        return this.completeMention(msg.prefix, msg.seq);
      case "stop":
        return this.stop();
      case "continue":
        return this.continueTurn();
      case "contextRequest":
        this.view.post({ type: "context", context: await this.contextBreakdown() });
        return;
      case "newChat":
        return this.newChat();
      case "permission":
        return this.answerPermission(msg.toolCallId, msg.option, msg.comment);
      case "rewind":
        return this.rewind(msg.turnId);
      case "undoFile":
        return this.undoFile(msg.turnId, msg.path);
      case "model":
        return this.selectModel(msg.id);
      case "focusChanged":
        // Webview views do not set `focusedView`; this context key scopes our keybindings.
        void vscode.commands.executeCommand("setContext", "tether.chatFocused", msg.focused);
        return;
      case "openFile": {
        const uri = vscode.Uri.parse(msg.uri);
        if (uri.scheme !== "file") return;
        await vscode.window.showTextDocument(uri, { preview: true });
        return;
      }
    }
  }

  /** `@` completion for the webview: files, folders, symbols of the session's folder. */
  private async completeMention(prefix: string, seq: number): Promise<void> {
    const folderUri = this.folderUri ?? promptFolder()?.uri.toString();
    if (!folderUri) return;
    try {
      const { items } = await this.api.completeMention(folderUri, prefix);
      this.view.post({ type: "mentionItems", seq, items });
    } catch {
      this.view.post({ type: "mentionItems", seq, items: [] });
    }
  }

  private async createSession(): Promise<string | null> {
    const folder = promptFolder();
    if (!folder) {
      this.notice("error", "Tether sessions belong to a workspace folder: open a folder first.");
      return null;
    }
    try {
      // Only a model the user picked in the chat goes with the request; otherwise the
      // server decides from the settings it re-reads now (never a stale list's default).
      const picked = this.memento.get<string>(MODEL_KEY) || null;
      const result = await this.api.createSession(folder.uri.toString(), picked ?? undefined);
      const model = result.session?.model || this.selectedModel;
      this.setTranscript(
        { ...emptyTranscript(result.sessionId, model), items: this.transcript.items },
        folder.uri.toString(),
      );
      this.changed.fire();
      return result.sessionId;
    } catch (err) {
      this.notice("error", `Could not start a session: ${errorText(err)}`);
      return null;
    }
  }

  private setTranscript(transcript: Transcript, folderUri: string | null): void {
    this.transcript = transcript;
    this.folderUri = folderUri;
    this.view.post({
      type: "snapshot",
      transcript,
      models: this.modelChoice(),
      server: this.server,
    });
    void vscode.commands.executeCommand("setContext", "tether.turnRunning", transcript.running);
    this.changed.fire();
  }

  private apply(action: Action): void {
    const before = this.transcript;
    this.transcript = reduce(before, action);
    if (this.transcript === before) return;
    this.view.post({ type: "action", action });
    if (before.running !== this.transcript.running) {
      void vscode.commands.executeCommand(
        "setContext",
        "tether.turnRunning",
        this.transcript.running,
      );
    }
  }

  private notice(level: "info" | "warning" | "error", text: string): void {
    this.apply({ kind: "notice", level, text });
  }

  private modelChoice(): ModelChoice {
    return { models: this.models, selected: this.selectedModel };
  }
}

/** The folder a new session belongs to: the active editor's, else the first one. */
function promptFolder(): vscode.WorkspaceFolder | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  const fromEditor = doc ? vscode.workspace.getWorkspaceFolder(doc.uri) : undefined;
  return fromEditor ?? vscode.workspace.workspaceFolders?.[0];
}

const SEVERITY: Record<number, PromptDiagnostic["severity"]> = {
  0: "error",
  1: "warning",
  2: "information",
  3: "hint",
};

/** The editor's diagnostics for `uri`, as the model reads them (at most 100). */
export function fileDiagnostics(uri: vscode.Uri): PromptDiagnostic[] {
  return vscode.languages
    .getDiagnostics(uri)
    .slice(0, 100)
    .map((d) => ({
      range: {
        start: { line: d.range.start.line, character: d.range.start.character },
        end: { line: d.range.end.line, character: d.range.end.character },
      },
      severity: SEVERITY[d.severity] ?? "error",
      message: d.message,
      source: d.source ?? null,
      code: d.code === undefined ? null : String(typeof d.code === "object" ? d.code.value : d.code),
    }));
}

/** The active file as what it is (path, language, cursor, selection) and its diagnostics,
 * when the file belongs to the session's folder. */
export function editorContext(folderUri: string | null): PromptContext | null {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.uri.scheme !== "file") return null;
  const folder = vscode.workspace.getWorkspaceFolder(editor.document.uri);
  if (!folder || (folderUri && folder.uri.toString() !== folderUri)) return null;
  const sel = editor.selection;
  return {
    activeFileUri: editor.document.uri.toString(),
    languageId: editor.document.languageId,
    cursor: { line: sel.active.line, character: sel.active.character },
    diagnostics: fileDiagnostics(editor.document.uri),
    selection: sel.isEmpty
      ? null
      : {
          start: { line: sel.start.line, character: sel.start.character },
          end: { line: sel.end.line, character: sel.end.character },
        },
    extraFileUris: [],
  };
}
