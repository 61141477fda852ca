/** "Tether: MCP Servers": the configured MCP servers, their state and tools, in a quick pick. */
import * as vscode from "vscode";

import type { McpServerStatus } from "./protocol";
import type { TetherApi } from "./server/api";
import { errorText } from "./server/supervisor";

const ICON: Record<McpServerStatus["state"], string> = {
  idle: "$(circle-outline)",
  starting: "$(sync~spin)",
  ready: "$(pass-filled)",
  failed: "$(error)",
  stopped: "$(debug-stop)",
};

/** One line per server; picking one lists its tools. */
export function mcpItems(servers: McpServerStatus[]): (vscode.QuickPickItem & { server: McpServerStatus })[] {
  return servers.map((s) => {
    const tools = s.tools ?? [];
    const state = s.trusted === false ? "not trusted" : s.state;
    const restarts = s.restarts ? ` · restarted ${s.restarts}×` : "";
    return {
      label: `${ICON[s.state]} ${s.name}`,
      description: `${state} · ${tools.length} tools · ${s.source}${restarts}`,
      detail: s.error ? `${s.target} — ${s.error}` : s.target,
      server: s,
    };
  });
}

export async function showMcpServers(api: TetherApi): Promise<void> {
  const folder = vscode.window.activeTextEditor
    ? vscode.workspace.getWorkspaceFolder(vscode.window.activeTextEditor.document.uri)
    : vscode.workspace.workspaceFolders?.[0];
  let servers: McpServerStatus[];
  try {
    servers = (await api.mcpStatus(folder?.uri.toString() ?? null)).servers;
  } catch (err) {
    void vscode.window.showErrorMessage(`Tether: could not read the MCP servers: ${errorText(err)}`);
    return;
  }
  if (!servers.length) {
    void vscode.window.showInformationMessage(
      "Tether: no MCP servers configured. Add [mcp_servers.NAME] to the Tether config or .tether/config.toml.",
    );
    return;
  }
  const picked = await vscode.window.showQuickPick(mcpItems(servers), {
    title: "Tether: MCP Servers",
    placeHolder: "Servers start at the first turn that needs tools",
  });
  if (!picked) return;
  const tools = picked.server.tools ?? [];
  await vscode.window.showQuickPick(
    tools.map((t) => ({ label: t.name, detail: t.description ?? "" })),
    { title: `${picked.server.name}: ${tools.length} tools`, placeHolder: "Tools the agent can call" },
  );
}
