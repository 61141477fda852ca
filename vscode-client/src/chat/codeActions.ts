/**
 * What the code block buttons do (webview/codeBlocks.ts draws them): Copy to the system
 * clipboard; Insert at Cursor replaces the selection of the editor last used (the chat
 * has focus when the button is clicked, so "active" means the last text editor).
 */
import * as vscode from "vscode";

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
