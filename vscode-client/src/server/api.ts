/**
 * Typed calls of Tether's custom methods over the running language client. Method names
 * and shapes come from the generated protocol module, so drift fails the type check.
 */
import type * as vscode from "vscode";
import type { CancellationToken } from "vscode-languageclient/node";

import {
  Method,
  type MethodParamsMap,
  type MethodResultMap,
  type PromptContext,
  type TurnResult,
} from "../protocol";
import type { ServerSupervisor } from "./supervisor";

type RequestMethod = Exclude<keyof MethodParamsMap, "tether/session/event" | "tether/permission/request">;

export class TetherApi {
  constructor(private readonly server: ServerSupervisor) {}

  async request<M extends RequestMethod>(
    method: M,
    params: MethodParamsMap[M],
    token?: CancellationToken | vscode.CancellationToken,
  ): Promise<MethodResultMap[M]> {
    const client = await this.server.ready();
    // Never pass an undefined token: vscode-jsonrpc would send [params, null] by position.
    if (token) return client.sendRequest<MethodResultMap[M]>(method, params, token as CancellationToken);
    return client.sendRequest<MethodResultMap[M]>(method, params);
  }

  createSession(folderUri: string, model?: string) {
    return this.request(Method.SessionCreate, { folderUri, model: model || null });
  }

  prompt(
    sessionId: string,
    text: string,
    context: PromptContext | null,
    clientMessageId: string,
    token?: vscode.CancellationToken,
  ): Promise<TurnResult> {
    return this.request(Method.SessionPrompt, { sessionId, text, context, clientMessageId }, token);
  }

  continueTurn(sessionId: string, token?: vscode.CancellationToken): Promise<TurnResult> {
    return this.request(Method.SessionContinue, { sessionId }, token);
  }

  context(sessionId: string) {
    return this.request(Method.SessionContext, { sessionId });
  }

  pin(sessionId: string, text: string) {
    return this.request(Method.SessionPin, { sessionId, text });
  }

  unpin(sessionId: string, pinId: string) {
    return this.request(Method.SessionUnpin, { sessionId, pinId });
  }

  cancel(sessionId: string) {
    return this.request(Method.SessionCancel, { sessionId });
  }

  steer(sessionId: string, text: string) {
    return this.request(Method.SessionSteer, { sessionId, text });
  }

  list(folderUri: string, query?: string, limit = 200, includeArchived = false) {
    return this.request(Method.SessionList, {
      folderUri,
      limit,
      query: query || null,
      includeArchived,
    });
  }

  search(folderUri: string, query: string, includeArchived = false, limit = 50) {
    return this.request(Method.SessionSearch, { folderUri, query, limit, includeArchived });
  }

  archive(sessionId: string, archived: boolean) {
    return this.request(Method.SessionArchive, { sessionId, archived });
  }

  load(sessionId: string) {
    return this.request(Method.SessionLoad, { sessionId });
  }

  delete(sessionId: string) {
    return this.request(Method.SessionDelete, { sessionId });
  }

  rename(sessionId: string, title: string) {
    return this.request(Method.SessionRename, { sessionId, title });
  }

  fork(sessionId: string) {
    return this.request(Method.SessionFork, { sessionId });
  }

  exportMarkdown(sessionId: string) {
    return this.request(Method.SessionExport, { sessionId, format: "markdown" });
  }

  models() {
    return this.request(Method.ModelsList, {});
  }

  checkProvider() {
    return this.request(Method.ProviderCheck, {});
  }

  indexStatus(folderUri: string) {
    return this.request(Method.IndexStatus, { folderUri });
  }

  mcpStatus(folderUri: string | null) {
    return this.request(Method.McpStatus, { folderUri });
  }

  completeMention(folderUri: string, prefix: string, limit = 20) {
    return this.request(Method.MentionComplete, { folderUri, prefix, limit });
  }
}
