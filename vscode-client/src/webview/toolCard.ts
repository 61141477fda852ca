/**
 * The compact tool card (issue 15, VS Code 2): one row — icon, tool, file chip, +/− counts,
 * duration — that expands to the coloured diff once. Raw JSON arguments only for tools
 * that have no better rendering; long outputs cut to a few lines with "Show all".
 */
import type { ToolItem } from "../state/transcript";

/** Lines of output shown before "Show all". */
export const OUTPUT_PREVIEW_LINES = 12;

/** Argument keys the row already shows (as the summary or as the edit's file chip). */
const SUMMARISED = ["path", "command", "query", "pattern", "uri"];

/** Added and removed lines of a unified diff (file headers not counted). */
export function diffCounts(diff: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of diff.split("\n")) {
    if (line.startsWith("+++") || line.startsWith("---")) continue;
    if (line.startsWith("+")) added++;
    else if (line.startsWith("-")) removed++;
  }
  return { added, removed };
}

/** `+3 −1` over every edit of the call, or "" when it edited nothing. */
export function countsLabel(item: ToolItem): string {
  if (!item.edits.length) return "";
  let added = 0;
  let removed = 0;
  for (const edit of item.edits) {
    const c = diffCounts(edit.diff);
    added += c.added;
    removed += c.removed;
  }
  return `+${added} −${removed}`;
}

/** Arguments the row does not already say: shown as JSON only when there are any. */
export function extraArguments(item: ToolItem): Record<string, unknown> | null {
  if (item.edits.length) return null; // the diff is the better rendering of an edit
  const rest: Record<string, unknown> = {};
  let summarised = false;
  for (const [key, value] of Object.entries(item.arguments)) {
    if (!summarised && SUMMARISED.includes(key) && typeof value === "string") {
      summarised = true;
      continue;
    }
    rest[key] = value;
  }
  return Object.keys(rest).length ? rest : null;
}

/** The output, unless it only repeats the diff the card already shows. */
export function shownOutput(item: ToolItem): string {
  return item.edits.length ? "" : item.output;
}

/** Output as a `pre`, cut to OUTPUT_PREVIEW_LINES with a "Show all (N lines)" button. */
export function outputBlock(text: string): HTMLElement[] {
  const lines = text.replace(/\n$/, "").split("\n");
  const pre = document.createElement("pre");
  pre.className = "tool-output";
  pre.textContent = text;
  if (lines.length <= OUTPUT_PREVIEW_LINES) return [pre];
  pre.textContent = `${lines.slice(0, OUTPUT_PREVIEW_LINES).join("\n")}\n`;
  pre.classList.add("cut");
  const more = document.createElement("button");
  more.className = "secondary show-all";
  more.textContent = `Show all (${lines.length} lines)`;
  more.addEventListener("click", () => {
    pre.textContent = text;
    pre.classList.remove("cut");
    more.remove();
  });
  return [pre, more];
}
