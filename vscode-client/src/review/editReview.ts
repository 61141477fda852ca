/**
 * Review of agent edits (`tether.edits.review`): each applied `file_edited` opens a diff
 * (before ↔ the live buffer) with Accept / Reject. Reject undoes that edit's hunks through
 * the server (`tether/changes/undo`): the buffer gets a versioned edit (it stays dirty,
 * undo works, later typing is kept by the 3-way merge), the undo is recorded in history
 * and the model is told, so the transcript and the model agree with the buffer.
 */
import * as vscode from "vscode";

import { type FileEdited, Method } from "../protocol";
import type { TetherApi } from "../server/api";
import { errorText } from "../server/supervisor";
import { DiffError, parseUnifiedDiff, revertEdit } from "./diff";

export const BEFORE_SCHEME = "tether-before";

interface PendingReview {
  id: number;
  uri: vscode.Uri;
  diff: string;
  event: FileEdited;
  hunks: string[]; // the hunks this edit added to the turn's change of the file
}

export class EditReview implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private nextId = 1;
  private readonly before = new Map<string, string>();
  private readonly pending: PendingReview[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private readonly seenHunks = new Map<string, Set<string>>(); // turn + path → hunk ids

  constructor(
    private readonly output: vscode.OutputChannel,
    private readonly api: TetherApi,
  ) {
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(BEFORE_SCHEME, this),
      vscode.commands.registerCommand("tether.edits.accept", () => this.resolveActive(true)),
      vscode.commands.registerCommand("tether.edits.reject", () => this.resolveActive(false)),
    );
  }

  get enabled(): boolean {
    return vscode.workspace.getConfiguration("tether").get<boolean>("edits.review", false);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.before.get(uri.query) ?? "";
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  /** Called for every `file_edited` event of the chat's session. */
  async onFileEdited(event: FileEdited): Promise<void> {
    if (!event.applied) return;
    const key = `${event.turnId}\u0000${event.path ?? event.uri}`;
    const seen = this.seenHunks.get(key) ?? new Set<string>();
    const hunks = (event.hunkIds ?? []).filter((h) => !seen.has(h));
    for (const h of event.hunkIds ?? []) seen.add(h);
    this.seenHunks.set(key, seen);
    if (!this.enabled) return;
    const uri = vscode.Uri.parse(event.uri);
    try {
      const doc = await vscode.workspace.openTextDocument(uri);
      const reverted = revertEdit(doc.getText(), parseUnifiedDiff(event.diff));
      if (!reverted.ok) {
        this.output.appendLine(`[tether] review of ${uri.fsPath}: ${reverted.message}`);
        return;
      }
      const review: PendingReview = { id: this.nextId++, uri, diff: event.diff, event, hunks };
      this.pending.push(review);
      this.before.set(String(review.id), reverted.text);
      this.updateContext();
      const beforeUri = uri.with({ scheme: BEFORE_SCHEME, query: String(review.id) });
      const name = uri.path.split("/").pop() ?? uri.path;
      await vscode.commands.executeCommand(
        "vscode.diff",
        beforeUri,
        uri,
        `${name} (Tether edit: before ↔ after)`,
        { preview: false, preserveFocus: true },
      );
      const choice = await vscode.window.showInformationMessage(
        `Tether edited ${name}.`,
        "Accept",
        "Reject",
      );
      if (choice === "Accept") await this.resolve(review, true);
      else if (choice === "Reject") await this.resolve(review, false);
    } catch (err) {
      const detail = err instanceof DiffError ? `unreadable diff (${err.message})` : errorText(err);
      this.output.appendLine(`[tether] review of ${uri.toString()} failed: ${detail}`);
    }
  }

  /** Accept/Reject from the diff editor's title bar: the active file's latest edit. */
  private async resolveActive(accept: boolean): Promise<void> {
    const active = vscode.window.activeTextEditor?.document.uri;
    const candidates = active
      ? this.pending.filter((p) => p.uri.toString() === active.toString() || String(p.id) === active.query)
      : [];
    const review = candidates.at(-1) ?? this.pending.at(-1);
    if (!review) {
      void vscode.window.showInformationMessage("Tether: no agent edit waits for review.");
      return;
    }
    await this.resolve(review, accept);
  }

  private async resolve(review: PendingReview, accept: boolean): Promise<void> {
    const idx = this.pending.indexOf(review);
    if (idx < 0) return;
    if (!accept) {
      const ok = await this.revert(review);
      if (!ok) return;
    }
    this.pending.splice(idx, 1);
    this.before.delete(String(review.id));
    this.updateContext();
    await this.closeDiff(review);
  }

  private async revert(review: PendingReview): Promise<boolean> {
    const { sessionId, turnId, path } = review.event;
    if (!turnId || !path || review.hunks.length === 0) {
      void vscode.window.showErrorMessage("Tether: this edit cannot be undone (no change set).");
      return false;
    }
    for (const hunk of review.hunks) {
      try {
        const result = await this.api.request(Method.ChangesUndo, { sessionId, turnId, path, hunk });
        const conflict = result.conflicts?.[0];
        if (conflict) {
          void vscode.window.showErrorMessage(`Tether: cannot reject the edit: ${conflict.reason}.`);
          return false;
        }
      } catch (err) {
        void vscode.window.showErrorMessage(`Tether: cannot reject the edit: ${errorText(err)}.`);
        return false;
      }
    }
    return true;
  }

  private async closeDiff(review: PendingReview): Promise<void> {
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        const input = tab.input;
        if (
          input instanceof vscode.TabInputTextDiff &&
          input.original.scheme === BEFORE_SCHEME &&
          input.original.query === String(review.id)
        ) {
          await vscode.window.tabGroups.close(tab);
        }
      }
    }
  }

  private updateContext(): void {
    void vscode.commands.executeCommand("setContext", "tether.reviewPending", this.pending.length > 0);
  }
}
