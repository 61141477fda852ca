/**
 * The last session of this workspace, reopened when the window opens (issue 15, VS Code
 * 4): reopening a window showed an empty chat. Kept in workspace state, so each workspace
 * has its own; a session deleted since is forgotten quietly.
 */
import type * as vscode from "vscode";

const KEY = "tether.lastSession";

export interface LastSessionRef {
  sessionId: string;
  folderUri: string;
}

export class LastSession {
  constructor(private readonly memento: vscode.Memento) {}

  get(): LastSessionRef | undefined {
    const value = this.memento.get<LastSessionRef>(KEY);
    return value?.sessionId && value.folderUri ? value : undefined;
  }

  async remember(sessionId: string | null, folderUri: string | null): Promise<void> {
    if (!sessionId || !folderUri) return;
    const now = this.get();
    if (now?.sessionId === sessionId && now.folderUri === folderUri) return;
    await this.memento.update(KEY, { sessionId, folderUri });
  }

  async forget(sessionId?: string): Promise<void> {
    if (sessionId === undefined || this.get()?.sessionId === sessionId) {
      await this.memento.update(KEY, undefined);
    }
  }
}
