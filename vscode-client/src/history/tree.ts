/**
 * The history view: the sessions of each workspace folder, newest first, from
 * `tether/session/list`, with a title filter. Actions (open, rename, delete, fork,
 * export) are commands on the items, registered in src/history/commands.ts.
 */
import * as vscode from "vscode";

import type { SessionSummary } from "../protocol";
import type { TetherApi } from "../server/api";
import { errorText } from "../server/supervisor";
import { historyDescription, isEmptySession } from "../state/historyLabel";

export class FolderNode {
  readonly kind = "folder";
  constructor(readonly folder: vscode.WorkspaceFolder) {}
}

export class SessionNode {
  readonly kind = "session";
  constructor(
    readonly summary: SessionSummary,
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
  private currentSession: () => string | null = () => null;

  constructor(private readonly api: TetherApi) {}

  get filter(): string {
    return this.filterText;
  }

  setFilter(text: string): void {
    this.filterText = text.trim();
    void vscode.commands.executeCommand("setContext", "tether.historyFiltered", !!this.filterText);
    this.refresh();
  }

  trackCurrent(current: () => string | null): void {
    this.currentSession = current;
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
    item.description = historyDescription(s);
    item.contextValue = "session";
    const current = this.currentSession() === s.id;
    item.iconPath = new vscode.ThemeIcon(
      current ? "comment-discussion" : isEmptySession(s) ? "circle-outline" : "comment",
    );
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(`${s.title || "Untitled session"}\n\n`);
    tooltip.appendText(
      `${s.messageCount} messages · ${s.model || "default model"} · updated ${new Date(s.updatedAt).toLocaleString()}`,
    );
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
      const result = await this.api.list(folderUri, this.filterText);
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
