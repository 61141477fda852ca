/**
 * The chat webview view: HTML shell with a strict CSP, and a typed message channel.
 * The UI itself lives in src/webview/ (bundled to dist/webview.js).
 */
import * as crypto from "node:crypto";
import * as vscode from "vscode";

import type { FromWebview, ToWebview } from "./messages";

export const CHAT_VIEW_ID = "tether.chat";

export class ChatView implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  /** The chat in an editor tab (Tether: Open Chat in Editor), showing the same chat. */
  private panel: vscode.WebviewPanel | undefined;
  private readonly messageEmitter = new vscode.EventEmitter<FromWebview>();
  private readonly disposables: vscode.Disposable[] = [];

  /** Messages from the webview; `ready` each time its script (re)starts. */
  readonly onMessage = this.messageEmitter.event;

  constructor(private readonly extensionUri: vscode.Uri) {}

  get visible(): boolean {
    return this.view?.visible ?? false;
  }

  get resolved(): boolean {
    return this.view !== undefined;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const dist = vscode.Uri.joinPath(this.extensionUri, "dist");
    view.webview.options = { enableScripts: true, localResourceRoots: [dist] };
    view.webview.html = this.html(view.webview, dist);
    this.disposables.push(
      view.webview.onDidReceiveMessage((msg: FromWebview) => this.messageEmitter.fire(msg)),
      view.onDidDispose(() => {
        if (this.view === view) this.view = undefined;
      }),
    );
  }

  post(message: ToWebview): void {
    void this.view?.webview.postMessage(message);
    void this.panel?.webview.postMessage(message);
  }

  /** Open (or show) the chat in an editor tab beside the code: room to read long answers. */
  openInEditor(): void {
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside);
      return;
    }
    const dist = vscode.Uri.joinPath(this.extensionUri, "dist");
    const panel = vscode.window.createWebviewPanel(
      "tether.chatPanel",
      "Tether Chat",
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      { enableScripts: true, localResourceRoots: [dist], retainContextWhenHidden: true },
    );
    panel.webview.html = this.html(panel.webview, dist);
    this.panel = panel;
    this.disposables.push(
      panel.webview.onDidReceiveMessage((msg: FromWebview) => this.messageEmitter.fire(msg)),
      panel.onDidDispose(() => {
        if (this.panel === panel) this.panel = undefined;
      }),
    );
  }

  /** Show the view (creating it if needed) and optionally put the cursor in the input. */
  async reveal(focusInput: boolean): Promise<void> {
    if (this.view) {
      this.view.show(!focusInput);
    } else {
      await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
    }
    if (focusInput) this.post({ type: "focus" });
  }

  dispose(): void {
    this.messageEmitter.dispose();
    for (const d of this.disposables) d.dispose();
  }

  private html(webview: vscode.Webview, dist: vscode.Uri): string {
    const nonce = crypto.randomBytes(16).toString("base64");
    const script = webview.asWebviewUri(vscode.Uri.joinPath(dist, "webview.js"));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(dist, "webview.css"));
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
      `font-src ${webview.cspSource}`,
    ].join("; ");
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Tether</title>
</head>
<body>
<div id="app">
  <header id="toolbar">
    <select id="model" title="Model for new chats" aria-label="Model"></select>
    <span id="gauge" title="Context used"><span id="gauge-bar"><span id="gauge-fill"></span></span><span id="gauge-text"></span></span>
    <button id="new" class="icon" title="New chat">New</button>
  </header>
  <div id="server-banner" hidden></div>
  <div id="provider-state" role="status" hidden></div>
  <div id="empty">Ask Tether about your code. The active file, its selection and diagnostics go with your message; type @ to add files, folders or symbols.</div>
  <main id="transcript" role="log" aria-live="polite"></main>
  <footer id="composer">
    <ul id="mentions" role="listbox" aria-label="Mentions" hidden></ul>
    <textarea id="prompt" rows="3" placeholder="Ask Tether (Enter to send, Shift+Enter for a new line)" aria-label="Message"></textarea>
    <div id="actions">
      <span id="status"></span>
      <button id="stop" class="secondary" disabled>Stop</button>
      <button id="send">Send</button>
    </div>
  </footer>
</div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }
}
