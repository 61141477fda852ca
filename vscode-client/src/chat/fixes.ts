/**
 * What the fix buttons of an error do (webview/fixes.ts draws them): the editor-native way
 * to change what the server uses — the setting in the Settings UI, the key in secret
 * storage, the model picker, the log.
 */
import * as vscode from "vscode";

import { settingId } from "../state/fixSetting";
import type { FixAction } from "./messages";

export async function runFix(action: FixAction, setting?: string | null): Promise<void> {
  switch (action) {
    case "openSettings":
      await vscode.commands.executeCommand("workbench.action.openSettings", settingId(setting));
      return;
    case "setApiKey":
      await vscode.commands.executeCommand("tether.setApiKey");
      return;
    case "pickModel":
      await vscode.commands.executeCommand("tether.pickModel");
      return;
    case "showLog":
      await vscode.commands.executeCommand("tether.showLog");
      return;
  }
}
