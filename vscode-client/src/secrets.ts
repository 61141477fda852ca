/**
 * API keys in VS Code's SecretStorage. They reach the server only as environment
 * variables of its process (OPENAI_API_KEY / ANTHROPIC_API_KEY): never settings.json,
 * never the protocol, never the log.
 */
import * as vscode from "vscode";

import type { SecretEnv } from "./server/supervisor";

const PROVIDERS = [
  { label: "OpenAI (or OpenAI-compatible)", key: "tether.apiKey.openai", env: "OPENAI_API_KEY" },
  { label: "Anthropic", key: "tether.apiKey.anthropic", env: "ANTHROPIC_API_KEY" },
] as const;

export class ApiKeys implements SecretEnv {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async env(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const p of PROVIDERS) {
      const value = await this.secrets.get(p.key);
      if (value) out[p.env] = value;
    }
    return out;
  }

  /** Ask for a provider and its key; true when a key was stored. */
  async promptAndStore(): Promise<boolean> {
    const provider = await vscode.window.showQuickPick(
      PROVIDERS.map((p) => ({ label: p.label, provider: p })),
      { placeHolder: "Which provider's API key?" },
    );
    if (!provider) return false;
    const value = await vscode.window.showInputBox({
      prompt: `${provider.label} API key (kept in VS Code's secret storage)`,
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? null : "The key cannot be empty."),
    });
    if (!value?.trim()) return false;
    await this.secrets.store(provider.provider.key, value.trim());
    return true;
  }

  async promptAndClear(): Promise<boolean> {
    const provider = await vscode.window.showQuickPick(
      PROVIDERS.map((p) => ({ label: p.label, provider: p })),
      { placeHolder: "Forget which provider's API key?" },
    );
    if (!provider) return false;
    await this.secrets.delete(provider.provider.key);
    return true;
  }
}

const REMOTE_TOKEN_KEY = "tether.remoteToken";

/**
 * The token of a remote server (`tether.server.remote`), in SecretStorage like the keys:
 * never in settings.json, never logged. `TETHER_TOKEN` of VS Code's environment is the
 * fallback for a token set outside the editor.
 */
export class RemoteToken {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(): Promise<string | undefined> {
    return (await this.secrets.get(REMOTE_TOKEN_KEY)) || process.env.TETHER_TOKEN || undefined;
  }

  async promptAndStore(): Promise<boolean> {
    const value = await vscode.window.showInputBox({
      prompt:
        "Token of the remote Tether server (the contents of the token file `tether serve` names on stderr, or its TETHER_TOKEN)",
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? null : "The token cannot be empty."),
    });
    if (!value?.trim()) return false;
    await this.secrets.store(REMOTE_TOKEN_KEY, value.trim());
    return true;
  }

  async clear(): Promise<void> {
    await this.secrets.delete(REMOTE_TOKEN_KEY);
  }
}
