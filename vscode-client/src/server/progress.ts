/**
 * Index progress (`$/progress` work-done reports) routed to Tether's own status bar item
 * instead of a generic window progress: the server creates a token per folder build, we
 * follow it. Registered after the client's built-in progress feature, so ours answers
 * `window/workDoneProgress/create`.
 */
import type * as vscode from "vscode";
import {
  type BaseLanguageClient,
  type ClientCapabilities,
  type StaticFeature,
  WorkDoneProgress,
  type WorkDoneProgressBegin,
  WorkDoneProgressCreateRequest,
  type WorkDoneProgressEnd,
  type WorkDoneProgressReport,
} from "vscode-languageclient/node";

export type ProgressValue = WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;
export type ProgressSink = (token: string, value: ProgressValue) => void;

export class ProgressFeature implements StaticFeature {
  private disposables: vscode.Disposable[] = [];

  constructor(
    private readonly client: BaseLanguageClient,
    private readonly sink: ProgressSink,
  ) {}

  fillClientCapabilities(capabilities: ClientCapabilities): void {
    capabilities.window = { ...(capabilities.window ?? {}), workDoneProgress: true };
  }

  initialize(): void {
    this.disposables.push(
      this.client.onRequest(WorkDoneProgressCreateRequest.type, (params) => {
        const token = String(params.token);
        this.disposables.push(
          this.client.onProgress(WorkDoneProgress.type, params.token, (value) =>
            this.sink(token, value),
          ),
        );
        return null;
      }),
    );
  }

  getState() {
    return { kind: "static" } as const;
  }

  clear(): void {
    for (const d of this.disposables) d.dispose();
    this.disposables = [];
  }
}
