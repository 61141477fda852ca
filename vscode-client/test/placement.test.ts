// The chat can be put in the Secondary Side Bar by a command (issue 15, VS Code 4).
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  CHAT_FEATURE_COMMAND,
  moveToSecondarySideBar,
  moveToTetherSideBar,
  type Workbench,
} from "../src/chat/placement";

function workbench(commands: string[]): Workbench & { ran: unknown[][] } {
  const ran: unknown[][] = [];
  return {
    ran,
    executeCommand: async (command: string, ...args: unknown[]) => {
      ran.push([command, ...args]);
      return undefined;
    },
    getCommands: async () => commands,
  };
}

describe("chat placement", () => {
  test("moves the view into the workbench's Secondary Side Bar container when it exists", async () => {
    const wb = workbench(["vscode.moveViews", CHAT_FEATURE_COMMAND]);
    assert.equal(await moveToSecondarySideBar(wb, "tether.chat"), "moved");
    assert.deepEqual(wb.ran, [
      ["vscode.moveViews", { viewIds: ["tether.chat"], destinationId: "workbench.panel.chat" }],
    ]);
  });

  test("asks with VS Code's Move View picker when there is no such container", async () => {
    const wb = workbench(["vscode.moveViews"]);
    assert.equal(await moveToSecondarySideBar(wb, "tether.chat"), "asked");
    assert.deepEqual(wb.ran, [
      ["tether.chat.focus"],
      ["workbench.action.moveFocusedView", "tether.chat"],
    ]);
  });

  test("moves it back to Tether's own container", async () => {
    const wb = workbench([]);
    await moveToTetherSideBar(wb, "tether.chat");
    assert.deepEqual(wb.ran, [
      ["vscode.moveViews", { viewIds: ["tether.chat"], destinationId: "workbench.view.extension.tether" }],
    ]);
  });
});
