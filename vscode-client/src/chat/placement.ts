/**
 * Where the chat view sits (issue 15, VS Code 4): the Secondary Side Bar gives it the
 * height the History view no longer halves, beside the editor like Copilot Chat.
 *
 * VS Code 1.100 (code-server 4.100) lets no extension contribute a view container to the
 * Secondary Side Bar (`viewsContainers.secondarySidebar` is final only in 1.106), so the
 * chat view is moved there with the workbench's `vscode.moveViews`, the command a drag
 * runs. Its destination is a view container: VS Code's own Chat container
 * (`workbench.panel.chat`), registered in the Secondary Side Bar by the workbench's chat
 * feature, whose commands tell it is there. Without it, `workbench.action.moveFocusedView`
 * for the chat view asks where to (its first choices include "New Secondary Side Bar
 * Entry"). Moving it back targets Tether's own Activity Bar container. VS Code remembers a
 * moved view's place across reloads, as it does after a drag.
 */
export const SECONDARY_SIDEBAR_CONTAINER = "workbench.panel.chat";
export const TETHER_CONTAINER = "workbench.view.extension.tether";
/** A command of the workbench's chat feature, which registers SECONDARY_SIDEBAR_CONTAINER. */
export const CHAT_FEATURE_COMMAND = "workbench.action.chat.open";

/** What placing the chat needs from VS Code (vscode.commands, or a fake in tests). */
export interface Workbench {
  executeCommand(command: string, ...args: unknown[]): PromiseLike<unknown>;
  getCommands(filterInternal?: boolean): PromiseLike<string[]>;
}

/** "moved" when the chat went there; "asked" when VS Code's Move View picker was shown. */
export type Placement = "moved" | "asked";

/** Put the view (the chat: `tether.chat`) in the Secondary Side Bar, and show it there. */
export async function moveToSecondarySideBar(workbench: Workbench, viewId: string): Promise<Placement> {
  const commands = await workbench.getCommands(false);
  if (commands.includes(CHAT_FEATURE_COMMAND)) {
    // moveViews opens the destination container, the chat in it.
    await workbench.executeCommand("vscode.moveViews", {
      viewIds: [viewId],
      destinationId: SECONDARY_SIDEBAR_CONTAINER,
    });
    return "moved";
  }
  await workbench.executeCommand(`${viewId}.focus`);
  await workbench.executeCommand("workbench.action.moveFocusedView", viewId);
  return "asked";
}

/** Put the view back in Tether's Activity Bar container, above History. */
export async function moveToTetherSideBar(workbench: Workbench, viewId: string): Promise<void> {
  await workbench.executeCommand("vscode.moveViews", {
    viewIds: [viewId],
    destinationId: TETHER_CONTAINER,
  });
}
