/**
 * Fix buttons for errors, in the webview: an error card and the provider state line offer
 * what fixes them in VS Code (a setting, Set API Key, another model, the log) instead of
 * advice about environment variables.
 */
import type { FixAction } from "../chat/messages";
import type { ProviderCheckResult } from "../protocol";

export type RunFix = (action: FixAction, setting?: string | null) => void;

const LABELS: Record<FixAction, string> = {
  openSettings: "Open Settings",
  setApiKey: "Set API Key",
  pickModel: "Pick Model",
  showLog: "Show Log",
};

/** A row of fix buttons; `setting` is the camelCase server setting Open Settings shows. */
export function fixButtons(run: RunFix, setting?: string | null): HTMLElement {
  const row = document.createElement("div");
  row.className = "fixes";
  for (const action of Object.keys(LABELS) as FixAction[]) {
    const button = document.createElement("button");
    button.className = "secondary";
    button.dataset.fix = action;
    button.textContent = LABELS[action];
    button.addEventListener("click", () => run(action, setting));
    row.append(button);
  }
  return row;
}

/** The provider's state under the toolbar: hidden while it answers, a card when not. */
export function renderProviderState(
  node: HTMLElement,
  check: ProviderCheckResult | null,
  run: RunFix,
): void {
  node.replaceChildren();
  node.hidden = !check || check.state === "ok";
  node.dataset.state = check?.state ?? "";
  if (!check || check.state === "ok") {
    node.title = check ? check.message : "";
    return;
  }
  const text = document.createElement("div");
  text.className = "provider-message";
  text.textContent = check.fix ? `${check.message} ${check.fix}` : check.message;
  node.append(text, fixButtons(run, check.setting));
}
