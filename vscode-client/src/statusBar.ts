/**
 * The status bar item: server state, index state of the workspace, current model.
 * Indexing progress itself also shows through the language client's `$/progress`
 * handling (window progress); here we add the index state in words.
 */
import * as vscode from "vscode";

import type { ChatController } from "./chat/controller";
import { formatCost } from "./state/cost";
import type { IndexStatusResult } from "./protocol";
import type { TetherApi } from "./server/api";
import type { ProgressValue } from "./server/progress";
import type { ServerState } from "./server/supervisor";

const ICONS: Record<ServerState, string> = {
  starting: "$(sync~spin)",
  restarting: "$(sync~spin)",
  running: "$(comment-discussion)",
  stopped: "$(circle-slash)",
  failed: "$(error)",
};

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("tether.status", vscode.StatusBarAlignment.Right, 100);
  private server: ServerState = "stopped";
  private index: IndexStatusResult | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Work-done progress of index builds in flight, by token. */
  private readonly builds = new Map<string, { title: string; percentage?: number; message?: string }>();

  constructor(
    private readonly api: TetherApi,
    private readonly chat: ChatController,
  ) {
    this.item.name = "Tether";
    this.item.command = "tether.focusChat";
    this.render();
    this.item.show();
  }

  /** `$/progress` of an index build (see server/progress.ts). */
  progress(token: string, value: ProgressValue): void {
    if (value.kind === "begin") {
      this.builds.set(token, { title: value.title, percentage: value.percentage, message: value.message });
    } else if (value.kind === "report") {
      const build = this.builds.get(token);
      if (build) this.builds.set(token, { ...build, percentage: value.percentage ?? build.percentage, message: value.message ?? build.message });
    } else {
      this.builds.delete(token);
      this.pollIndex(200);
    }
    this.render();
  }

  setServer(state: ServerState): void {
    this.server = state;
    if (state !== "running") this.builds.clear();
    if (state === "running") this.pollIndex(500);
    else this.index = null;
    this.render();
  }

  render(): void {
    const model = this.chat.current.model || this.chat.selectedModel;
    let text = `${ICONS[this.server]} Tether`;
    const build = [...this.builds.values()].at(-1);
    if (this.server === "running" && build) {
      text = `$(sync~spin) Tether: indexing${build.percentage !== undefined ? ` ${build.percentage}%` : ""}`;
    } else if (this.server === "running" && this.index?.state === "indexing") {
      text = "$(sync~spin) Tether: indexing";
    }
    if (this.server === "running" && model) text += ` · ${model}`;
    const cost = this.chat.current.gauge.sessionCost;
    if (this.server === "running" && cost !== null) text += ` · ${formatCost(cost)}`;
    if (this.chat.running) text += " $(loading~spin)";
    this.item.text = text;
    const lines = [`Tether server: ${this.server}`];
    for (const b of this.builds.values()) {
      lines.push(`${b.title}${b.percentage !== undefined ? ` ${b.percentage}%` : ""}${b.message ? ` (${b.message})` : ""}`);
    }
    if (this.index) {
      lines.push(`Index: ${this.index.state} (${this.index.files} files, ${this.index.symbols} symbols)`);
      if (this.index.message) lines.push(this.index.message);
    }
    if (model) lines.push(`Model: ${model}`);
    lines.push("Click to open the chat");
    this.item.tooltip = lines.join("\n");
    this.item.backgroundColor =
      this.server === "failed" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  }

  private pollIndex(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.fetchIndex(), delay);
  }

  private async fetchIndex(): Promise<void> {
    this.timer = undefined;
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder || this.server !== "running") return;
    try {
      this.index = await this.api.indexStatus(folder.uri.toString());
    } catch {
      this.index = null;
    }
    this.render();
    // Poll while it builds; afterwards the server keeps it fresh on its own.
    if (this.index?.state === "indexing" || this.index?.state === "idle") this.pollIndex(2000);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.item.dispose();
  }
}
