/** Commands of the history view: open, rename, delete, fork, export, archive, search. */
import * as vscode from "vscode";

import type { ChatController } from "../chat/controller";
import type { TetherApi } from "../server/api";
import { errorText } from "../server/supervisor";
import { type HistoryTree, SessionNode } from "./tree";

export function registerHistoryCommands(
  api: TetherApi,
  tree: HistoryTree,
  chat: ChatController,
): vscode.Disposable[] {
  const guarded =
    (fn: (node: SessionNode) => Promise<void>) =>
    async (node?: unknown): Promise<void> => {
      if (!(node instanceof SessionNode)) {
        void vscode.window.showInformationMessage("Tether: pick a session in the History view.");
        return;
      }
      try {
        await fn(node);
      } catch (err) {
        void vscode.window.showErrorMessage(`Tether: ${errorText(err)}`);
      }
    };

  return [
    vscode.commands.registerCommand("tether.history.refresh", () => tree.refresh()),
    vscode.commands.registerCommand("tether.history.filter", async () => {
      const text = await vscode.window.showInputBox({
        prompt: "Search sessions: words in messages, tool output, file paths, titles",
        value: tree.filter,
      });
      if (text !== undefined) tree.setFilter(text);
    }),
    vscode.commands.registerCommand("tether.history.clearFilter", () => tree.setFilter("")),
    vscode.commands.registerCommand("tether.history.showArchived", () =>
      tree.setShowArchived(true),
    ),
    vscode.commands.registerCommand("tether.history.hideArchived", () =>
      tree.setShowArchived(false),
    ),
    vscode.commands.registerCommand(
      "tether.history.archive",
      guarded(async (node) => {
        await api.archive(node.summary.id, true);
        tree.refresh();
      }),
    ),
    vscode.commands.registerCommand(
      "tether.history.unarchive",
      guarded(async (node) => {
        await api.archive(node.summary.id, false);
        tree.refresh();
      }),
    ),
    vscode.commands.registerCommand(
      "tether.history.open",
      guarded(async (node) => {
        await chat.openSession(node.summary.id, node.folderUri);
        tree.refresh();
      }),
    ),
    vscode.commands.registerCommand(
      "tether.history.rename",
      guarded(async (node) => {
        const title = await vscode.window.showInputBox({
          prompt: "New title",
          value: node.summary.title,
          validateInput: (v) => (v.trim() ? null : "The title cannot be empty."),
        });
        if (!title?.trim()) return;
        await api.rename(node.summary.id, title.trim());
        tree.refresh();
      }),
    ),
    vscode.commands.registerCommand(
      "tether.history.delete",
      guarded(async (node) => {
        const answer = await vscode.window.showWarningMessage(
          `Delete the session “${node.summary.title || "Untitled session"}”? Its history file is removed.`,
          { modal: true },
          "Delete",
        );
        if (answer !== "Delete") return;
        await api.delete(node.summary.id);
        chat.forget(node.summary.id);
        tree.refresh();
      }),
    ),
    vscode.commands.registerCommand(
      "tether.history.fork",
      guarded(async (node) => {
        const result = await api.fork(node.summary.id);
        tree.refresh();
        await chat.openSession(result.sessionId, node.folderUri);
      }),
    ),
    vscode.commands.registerCommand(
      "tether.history.export",
      guarded(async (node) => {
        const result = await api.exportMarkdown(node.summary.id);
        const doc = await vscode.workspace.openTextDocument({
          language: "markdown",
          content: result.content,
        });
        await vscode.window.showTextDocument(doc, { preview: false });
      }),
    ),
  ];
}
