/**
 * Which `tether.*` settings go to the server, answered to its `workspace/configuration`.
 *
 * Only values the user set explicitly are sent: VS Code's contributed defaults would
 * otherwise override the user's Tether config file (the server merges editor settings
 * last). Client-only keys (server command, review, trace) and secrets never go.
 */

/** Server settings (camelCase aliases of tether.settings.Settings) the editor may set. */
export const SERVER_KEYS = [
  "provider",
  "model",
  "openaiBaseUrl",
  "anthropicBaseUrl",
  "ollamaHost",
  "maxSteps",
  "maxTokens",
  "contextWindow",
  "contextPolicy",
  "compactionModel",
  "requestTimeout",
  "commandTimeout",
  "autoApprove",
  "allowedTools",
  "editApproval",
  "titleGeneration",
  "mcpServers",
  "prices",
] as const;

export interface Inspected {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

export type Inspect = (key: string) => Inspected | undefined;

export function serverSettings(inspect: Inspect): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of SERVER_KEYS) {
    const info = inspect(key);
    if (!info) continue;
    const value = info.workspaceFolderValue ?? info.workspaceValue ?? info.globalValue;
    if (value !== undefined && value !== null && value !== "") out[key] = value;
  }
  return out;
}
