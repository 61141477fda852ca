/**
 * What the code block buttons do (webview/codeBlocks.ts draws them): Copy to the system
 * clipboard; Insert at Cursor replaces the selection of the editor last used (the chat
 * has focus when the button is clicked, so "active" means the last text editor); Apply to
 * File asks the server (`tether/codeBlock/apply`) to place the block in the file it names,
 * else the last editor's, through the agent's edit path: the edit lands in the buffer as
 * a change set of its own, reviewed and undone like an agent edit.
 */
import * as vscode from "vscode";

import { Method } from "../protocol";
import type { TetherApi } from "../server/api";
import { errorText } from "../server/supervisor";
import type { CodeAction } from "./messages";

let lastEditor: vscode.TextEditor | undefined = vscode.window.activeTextEditor;

/** Track the text editor the user worked in last (call once at activation). */
export function trackLastEditor(): vscode.Disposable {
  return vscode.window.onDidChangeActiveTextEditor((editor) => {
    if (editor) lastEditor = editor;
  });
}

export async function runCodeAction(action: CodeAction, text: string): Promise<void> {
  if (action === "copy") {
    await vscode.env.clipboard.writeText(text);
    void vscode.window.setStatusBarMessage("Tether: code copied", 2000);
    return;
  }
  const editor = vscode.window.activeTextEditor ?? lastEditor;
  if (!editor) {
    void vscode.window.showInformationMessage("Tether: open a file to insert the code into.");
    return;
  }
  await vscode.window.showTextDocument(editor.document, editor.viewColumn);
  await editor.edit((edit) => {
    for (const selection of editor.selections) edit.replace(selection, text);
  });
}

/** The file Apply writes to: the one the block names (relative to the session's folder,
 * else found by name in the workspace), else the editor last used; null when none. */
export async function applyTarget(named: string | null, folderUri: string | null): Promise<vscode.Uri | null> {
  if (!named) {
    const editor = vscode.window.activeTextEditor ?? lastEditor;
    return editor && editor.document.uri.scheme === "file" ? editor.document.uri : null;
  }
  if (named.startsWith("/")) return vscode.Uri.file(named);
  const folder = folderUri ? vscode.Uri.parse(folderUri) : vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder) return null;
  const direct = vscode.Uri.joinPath(folder, named.replace(/^\.\//, ""));
  if (await exists(direct)) return direct;
  const found = await vscode.workspace.findFiles(
    new vscode.RelativePattern(folder, `**/${named.replace(/^\.\//, "")}`), null, 2);
  return found.length === 1 ? found[0] : direct; // none or several: the path as written
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) return true;
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

export async function applyCodeBlock(api: TetherApi, sessionId: string | null, folderUri: string | null,
  code: string, named: string | null): Promise<void> {
  const uri = await applyTarget(named, folderUri);
  if (!sessionId || !uri) {
    void vscode.window.showInformationMessage(
      "Tether: open the file to apply the code to (or use Insert at Cursor).");
    return;
  }
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  try {
    const result = await api.request(Method.CodeBlockApply, {
      sessionId, uri: uri.toString(), code, version: doc?.version ?? null });
    if (!result.applied) {
      const insert = result.reason === "no_anchor" ? ["Insert at Cursor"] : [];
      const pick = await vscode.window.showWarningMessage(`Tether: ${result.message}`, ...insert);
      if (pick) await runCodeAction("insert", code);
      return;
    }
    const line = Math.max(result.startLine - 1, 0);
    await vscode.window.showTextDocument(uri, {
      preview: false, selection: new vscode.Range(line, 0, line, 0) });
    void vscode.window.setStatusBarMessage(`Tether: ${result.message}`, 4000);
  } catch (err) {
    void vscode.window.showErrorMessage(`Tether: Apply to File failed: ${errorText(err)}`);
  }
}
