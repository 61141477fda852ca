/**
 * Entry point: wires the server supervisor, the chat, the history view, edit review and
 * the status bar together. All agent logic lives in the server; this is plumbing and UI.
 */
import * as vscode from "vscode";

import { ChatController, editorContext } from "./chat/controller";
import { trackLastEditor } from "./chat/codeActions";
import { LastSession } from "./chat/lastSession";
import { moveToSecondarySideBar, moveToTetherSideBar } from "./chat/placement";
import { CHAT_VIEW_ID, ChatView } from "./chat/view";
import { registerHistoryCommands } from "./history/commands";
import { HistoryTree } from "./history/tree";
import { showMcpServers } from "./mcp";
import {
  Method,
  type PermissionRequestParams,
  type PermissionRequestResult,
  type SessionEventNotification,
  type SessionEventType,
  TERMINAL_EVENT_TYPES,
} from "./protocol";
import { ChangeLens } from "./review/changeLens";
import { EditReview } from "./review/editReview";
import { ApiKeys, RemoteToken } from "./secrets";
import { TetherApi } from "./server/api";
import { ProgressFeature } from "./server/progress";
import { ServerSupervisor } from "./server/supervisor";
import { StatusBar } from "./statusBar";

let supervisor: ServerSupervisor | undefined;

/** Events after which the history view's rows (title, size, cost) are out of date. */
const HISTORY_STALE = new Set<SessionEventType>([
  ...TERMINAL_EVENT_TYPES,
  "title_changed",
  "turn_rewound",
]);

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("Tether");
  const keys = new ApiKeys(context.secrets);
  const remoteToken = new RemoteToken(context.secrets);
  supervisor = new ServerSupervisor(output, keys, remoteToken);
  const server = supervisor;
  const api = new TetherApi(server);
  const view = new ChatView(context.extensionUri);
  const chat = new ChatController(api, view, context.workspaceState);
  const lastSession = new LastSession(context.workspaceState);
  let restored = false;
  const history = new HistoryTree(api);
  history.trackCurrent(() => chat.sessionId, () => chat.running);
  const review = new EditReview(output, api);
  const lens = new ChangeLens(api);
  const status = new StatusBar(api, chat);
  const treeView = vscode.window.createTreeView("tether.history", {
    treeDataProvider: history,
    showCollapseAll: true,
  });

  context.subscriptions.push(
    trackLastEditor(),
    output,
    server,
    view,
    chat,
    review,
    lens,
    status,
    treeView,
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, view, {
      webviewOptions: { retainContextWhenHidden: true },
    }),
    server.onDidCreateClient((client) => {
      client.registerFeature(
        new ProgressFeature(client, (token, value) => {
          status.progress(token, value);
          if (value.kind === "begin") output.appendLine(`[tether] ${value.title}`);
          if (value.kind === "end") output.appendLine(`[tether] index ready: ${value.message ?? "done"}`);
        }),
      );
      client.onNotification(Method.SessionEvent, (n: SessionEventNotification) => {
        chat.onEvent(n);
        if (n.sessionId === chat.sessionId && n.event.type === "file_edited") {
          void review.onFileEdited(n.event);
        }
        if (n.sessionId === chat.sessionId) lens.onEvent(n);
        if (HISTORY_STALE.has(n.event.type)) history.refresh();
      });
      client.onRequest(
        Method.PermissionRequest,
        (params: PermissionRequestParams, token): Promise<PermissionRequestResult> =>
          chat.askPermission(params, token),
      );
    }),
    server.onDidChangeState((state) => {
      chat.onServerState(state);
      status.setServer(state);
      if (state === "running" && !restored) {
        restored = true; // once per window: later restarts keep what the chat shows
        const last = lastSession.get();
        if (last && chat.isEmpty) {
          void chat.openSession(last.sessionId, last.folderUri, true).then((ok) => {
            if (!ok) void lastSession.forget(last.sessionId);
          });
        }
      }
      if (state === "running") history.refresh();
    }),
    chat.onDidChange(() => {
      void lastSession.remember(chat.sessionId, chat.folder);
      status.render();
      history.refresh();
    }),
    treeView.onDidChangeVisibility((e) => {
      if (e.visible) history.refresh();
    }),
    everyMinute(() => {
      // Keeps "5 min ago" honest while the view is open.
      if (treeView.visible && !chat.running) history.refresh();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => history.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("tether.server.command") || e.affectsConfiguration("tether.server.remote")) {
        void vscode.window
          .showInformationMessage("The Tether server setting changed.", "Restart Server")
          .then((choice) => choice && server.restart());
      }
      if (e.affectsConfiguration("tether.model") || e.affectsConfiguration("tether.provider")) {
        void chat.settingsChanged();
      } else if (e.affectsConfiguration("tether")) {
        void chat.refreshModels();
        void chat.checkProvider();
      }
    }),
    ...registerHistoryCommands(api, history, chat),
    vscode.commands.registerCommand("tether.focusChat", () => view.reveal(true)),
    vscode.commands.registerCommand("tether.openChatInEditor", () => view.openInEditor()),
    vscode.commands.registerCommand("tether.moveChatToSecondarySideBar", () =>
      moveToSecondarySideBar(vscode.commands, CHAT_VIEW_ID),
    ),
    vscode.commands.registerCommand("tether.moveChatToTetherSideBar", () =>
      moveToTetherSideBar(vscode.commands, CHAT_VIEW_ID),
    ),
    vscode.commands.registerCommand("tether.send", () => chat.submitInput()),
    vscode.commands.registerCommand("tether.stop", () => chat.stop()),
    vscode.commands.registerCommand("tether.continue", () => chat.continueTurn()),
    vscode.commands.registerCommand("tether.undoTurn", () => chat.rewind()),
    vscode.commands.registerCommand("tether.newChat", () => chat.newChat()),
    vscode.commands.registerCommand("tether.pickModel", () => chat.pickModel()),
    vscode.commands.registerCommand("tether.askAboutSelection", () => askAboutSelection(chat, view)),
    vscode.commands.registerCommand("tether.showLog", () => output.show()),
    vscode.commands.registerCommand("tether.restartServer", () => server.restart()),
    vscode.commands.registerCommand("tether.mcpServers", () => showMcpServers(api)),
    vscode.commands.registerCommand("tether.setApiKey", async () => {
      if (await keys.promptAndStore()) {
        const choice = await vscode.window.showInformationMessage(
          "Tether: API key saved. The server reads it at start-up.",
          "Restart Server",
        );
        if (choice) await server.restart();
      }
    }),
    vscode.commands.registerCommand("tether.clearApiKey", async () => {
      if (await keys.promptAndClear()) await server.restart();
    }),
    vscode.commands.registerCommand("tether.setRemoteToken", async () => {
      if (await remoteToken.promptAndStore()) await server.restart();
    }),
    vscode.commands.registerCommand("tether.clearRemoteToken", async () => {
      await remoteToken.clear();
      await server.restart();
    }),
  );

  await server.start();
}

function everyMinute(fn: () => void): vscode.Disposable {
  const timer = setInterval(fn, 60_000);
  return new vscode.Disposable(() => clearInterval(timer));
}

/** Ask a question about the selection: the selection travels as prompt context. */
async function askAboutSelection(chat: ChatController, view: ChatView): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.selection.isEmpty) {
    void vscode.window.showInformationMessage("Tether: select some code first.");
    return;
  }
  const context = editorContext(null);
  const question = await vscode.window.showInputBox({
    prompt: "Ask Tether about the selection",
    placeHolder: "Explain this code",
    value: "",
  });
  if (question === undefined) return;
  await view.reveal(false);
  await chat.send(question.trim() || "Explain the selected code.", context);
}

export async function deactivate(): Promise<void> {
  await supervisor?.stop();
  supervisor = undefined;
}
