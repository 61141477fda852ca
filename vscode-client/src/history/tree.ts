/**
 * The history view: the sessions of each workspace folder, newest first, from
 * `tether/session/list`; with a search, the sessions `tether/session/search` finds
 * (words in messages, tool output, file paths), each with the text that matched.
 * Archived sessions show only when asked for. Actions (open, rename, delete, fork,
 * export, archive) are commands on the items, registered in src/history/commands.ts.
 */
import * as vscode from "vscode";

import type { SessionSearchHit, SessionSummary } from "../protocol";
import type { TetherApi } from "../server/api";
import { errorText } from "../server/supervisor";
import { markedSnippet } from "./snippet";
import { historyDescription, historyIcon, historyTooltip } from "../state/historyLabel";

const LISTED = 200; // rows of a folder the view lists

export class FolderNode {
  readonly kind = "folder";
  constructor(readonly folder: vscode.WorkspaceFolder) {}
}

/** What a history item needs: a listing row, or a search hit (id, title, snippet). */
export type SessionRow = Pick<SessionSummary, "id" | "title"> &
  Partial<SessionSummary> & { hit?: SessionSearchHit };

export class SessionNode {
  readonly kind = "session";
  constructor(
    readonly summary: SessionRow,
    readonly folderUri: string,
  ) {}
}


class MessageNode {
  readonly kind = "message";
  constructor(readonly text: string) {}
}

type Node = FolderNode | SessionNode | MessageNode;

export class HistoryTree implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private filterText = "";
  private archivedShown = false;
  private currentSession: () => string | null = () => null;
  private currentRunning: () => boolean = () => false;

  constructor(private readonly api: TetherApi) {}

  get filter(): string {
    return this.filterText;
  }

  setFilter(text: string): void {
    this.filterText = text.trim();
    void vscode.commands.executeCommand("setContext", "tether.historyFiltered", !!this.filterText);
    this.refresh();
  }

  get showArchived(): boolean {
    return this.archivedShown;
  }

  setShowArchived(shown: boolean): void {
    this.archivedShown = shown;
    void vscode.commands.executeCommand("setContext", "tether.historyArchivedShown", shown);
    this.refresh();
  }

  /** The chat's session, and whether its turn runs now (its row then says "running",
   * where history alone says "unfinished"). */
  trackCurrent(current: () => string | null, running: () => boolean = () => false): void {
    this.currentSession = current;
    this.currentRunning = running;
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === "folder") {
      const item = new vscode.TreeItem(node.folder.name, vscode.TreeItemCollapsibleState.Expanded);
      item.iconPath = vscode.ThemeIcon.Folder;
      item.contextValue = "folder";
      item.tooltip = node.folder.uri.fsPath;
      return item;
    }
    if (node.kind === "message") {
      const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
      item.iconPath = new vscode.ThemeIcon("info");
      return item;
    }
    const s = node.summary;
    const item = new vscode.TreeItem(s.title || "Untitled session");
    item.id = `session:${s.id}`;
    const archived = s.archived ?? s.hit?.archived ?? false;
    item.contextValue = archived ? "archivedSession" : "session";
    const current = this.currentSession() === s.id;
    const icon = historyIcon({ ...s, archived }, current);
    item.iconPath = new vscode.ThemeIcon(
      icon.id,
      icon.color ? new vscode.ThemeColor(icon.color) : undefined,
    );
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(`${s.title || "Untitled session"}\n\n`);
    if (s.hit) {
      item.description = markedSnippet(s.hit);
      tooltip.appendText(`${markedSnippet(s.hit)}\n\n(matched in ${s.hit.kind})\n\n`);
    } else if (s.updatedAt) {
      item.description = historyDescription(s as SessionSummary, new Date(), current && this.currentRunning());
    }
    tooltip.appendText(historyTooltip(s).join("\n\n"));
    item.tooltip = tooltip;
    item.command = {
      command: "tether.history.open",
      title: "Open Session",
      arguments: [node],
    };
    return item;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (!node) {
      if (folders.length === 0) return [new MessageNode("Open a folder to chat with Tether.")];
      return folders.map((f) => new FolderNode(f));
    }
    if (node.kind !== "folder") return [];
    const folderUri = node.folder.uri.toString();
    try {
      if (this.filterText) {
        // The hits carry no listing fields: the listing's rows give them their marks.
        const [found, listed] = await Promise.all([
          this.api.search(folderUri, this.filterText, this.archivedShown),
          this.api.list(folderUri, undefined, LISTED, this.archivedShown),
        ]);
        if (found.hits.length === 0) return [new MessageNode(`No sessions mention “${this.filterText}”.`)];
        const rows = new Map(listed.sessions.map((row) => [row.id, row]));
        return found.hits.map(
          (hit) =>
            new SessionNode(
              { ...rows.get(hit.sessionId), id: hit.sessionId, title: hit.title, hit },
              folderUri,
            ),
        );
      }
      const result = await this.api.list(folderUri, undefined, LISTED, this.archivedShown);
      if (result.sessions.length === 0) {
        return [
          new MessageNode(this.filterText ? `No sessions match “${this.filterText}”.` : "No sessions yet."),
        ];
      }
      return result.sessions.map((s) => new SessionNode(s, folderUri));
    } catch (err) {
      return [new MessageNode(`Cannot list sessions: ${errorText(err)}`)];
    }
  }
}
