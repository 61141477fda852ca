/**
 * Keep / Undo over each hunk the agent put in an editor (CodeLens, as Copilot's edit review
 * does). The hunks and their states come from the server (`tether/changes/list`), refreshed
 * when the session edits, undoes or rewinds; Undo is `tether/changes/undo` of that hunk, so
 * the history and the model know of it. Keep only hides the lens: the edit stays.
 */
import * as vscode from "vscode";

import { type FileChangeInfo, Method, type SessionEventNotification } from "../protocol";
import type { TetherApi } from "../server/api";
import { errorText } from "../server/supervisor";

interface LensHunk {
  sessionId: string;
  turnId: string;
  path: string;
  hunk: string;
  line: number; // 0-based first line of the hunk in the agent's text
  summary: string;
}

export class ChangeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly byUri = new Map<string, LensHunk[]>();
  private readonly kept = new Set<string>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly api: TetherApi) {
    this.disposables.push(
      vscode.languages.registerCodeLensProvider({ scheme: "file" }, this),
      vscode.commands.registerCommand("tether.changes.undoHunk", (h: LensHunk) => this.undo(h)),
      vscode.commands.registerCommand("tether.changes.keepHunk", (h: LensHunk) => this.keep(h)),
    );
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
  }

  /** Session events of the chat's session: refresh the turn's hunks when they change. */
  onEvent(n: SessionEventNotification): void {
    const ev = n.event;
    if (ev.type === "file_edited" && ev.applied && ev.turnId) void this.refresh(n.sessionId, ev.turnId);
    else if (ev.type === "change_undone") void this.refresh(n.sessionId, ev.undoneTurnId);
    else if (ev.type === "turn_rewound") {
      for (const [uri, hunks] of this.byUri) {
        const left = hunks.filter((h) => !ev.rewoundTurnIds.includes(h.turnId));
        if (left.length) this.byUri.set(uri, left);
        else this.byUri.delete(uri);
      }
      this.changed.fire();
    }
  }

  async refresh(sessionId: string, turnId: string): Promise<void> {
    try {
      const result = await this.api.request(Method.ChangesList, { sessionId, turnId });
      const turn = result.turns[0];
      for (const [uri, hunks] of this.byUri) {
        this.byUri.set(uri, hunks.filter((h) => h.turnId !== turnId));
      }
      if (turn && !turn.rewound) for (const file of turn.files) this.add(sessionId, turnId, file);
      this.changed.fire();
    } catch {
      // The session is gone or the server restarts: the lenses stay as they were.
    }
  }

  private add(sessionId: string, turnId: string, file: FileChangeInfo): void {
    const hunks = this.byUri.get(vscode.Uri.parse(file.uri).toString()) ?? [];
    for (const h of file.hunks) {
      if (h.state !== "applied" || this.kept.has(h.id)) continue;
      hunks.push({
        sessionId, turnId, path: file.path, hunk: h.id, line: Math.max(h.newStart - 1, 0),
        summary: `+${h.newLines} −${h.oldLines}`,
      });
    }
    this.byUri.set(vscode.Uri.parse(file.uri).toString(), hunks);
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const hunks = this.byUri.get(document.uri.toString()) ?? [];
    return hunks.flatMap((h) => {
      const range = new vscode.Range(Math.min(h.line, document.lineCount - 1), 0,
        Math.min(h.line, document.lineCount - 1), 0);
      return [
        new vscode.CodeLens(range, { title: `Tether: Keep (${h.summary})`, command: "tether.changes.keepHunk", arguments: [h] }),
        new vscode.CodeLens(range, { title: "Undo", command: "tether.changes.undoHunk", arguments: [h] }),
      ];
    });
  }

  private keep(h: LensHunk): void {
    this.kept.add(h.hunk);
    this.drop(h);
  }

  private async undo(h: LensHunk): Promise<void> {
    try {
      const result = await this.api.request(Method.ChangesUndo, {
        sessionId: h.sessionId, turnId: h.turnId, path: h.path, hunk: h.hunk,
      });
      const conflict = result.conflicts?.[0];
      if (conflict) {
        void vscode.window.showWarningMessage(`Tether: not undone: ${conflict.reason}`);
        return;
      }
      this.drop(h);
    } catch (err) {
      void vscode.window.showErrorMessage(`Tether: undo failed: ${errorText(err)}`);
    }
  }

  private drop(h: LensHunk): void {
    for (const [uri, hunks] of this.byUri) this.byUri.set(uri, hunks.filter((x) => x.hunk !== h.hunk));
    this.changed.fire();
  }
}
